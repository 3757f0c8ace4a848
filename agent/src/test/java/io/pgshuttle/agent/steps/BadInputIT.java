package io.pgshuttle.agent.steps;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgshuttle.agent.AgentConfig;
import io.pgshuttle.agent.pipeline.AttemptResult;
import io.pgshuttle.agent.pipeline.TestCancellation;
import io.pgshuttle.messages.AttemptFailed;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Secret;
import io.pgshuttle.messages.StartMigration;
import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.StepStarted;
import io.pgshuttle.messages.TargetServer;
import io.pgshuttle.testkit.PostgresCluster;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each bad input ends the attempt with a clear error from the step that finds it, and nothing is
 * changed anywhere: the source accepts connections as before, no disk, staging database or role is
 * left.
 */
class BadInputIT {
  private Migrations migrations;
  private Snapshot before;

  /** What "nothing changed" compares. */
  private record Snapshot(
      List<List<String>> sourceDatabases,
      List<List<String>> shopAcl,
      List<List<String>> targetDatabases,
      List<List<String>> targetRoles,
      List<Path> disks) {}

  @BeforeEach
  void start() throws Exception {
    migrations = new Migrations();
    SourceFixture.create(migrations.source);
  }

  @AfterEach
  void stop() {
    migrations.close();
  }

  private Snapshot snapshot() throws Exception {
    try (var disks = Files.list(migrations.diskRoot)) {
      return new Snapshot(
          migrations.source.query(
              "postgres", "SELECT datname, datconnlimit FROM pg_database ORDER BY 1"),
          MigrationPipelineIT.databaseAcl(migrations.source, SourceFixture.SHOP),
          migrations.target.query("postgres", "SELECT datname FROM pg_database ORDER BY 1"),
          migrations.target.query("postgres", "SELECT rolname FROM pg_roles ORDER BY 1"),
          disks.toList());
    }
  }

  private AttemptFailed runExpectingFailure(AgentConfig config, Envelope<StartMigration> command)
      throws Exception {
    before = snapshot();
    RecordingEventSink events = new RecordingEventSink();
    AttemptResult result = migrations.runner(config).run(command, events, new TestCancellation());
    assertThat(result.succeeded()).isFalse();
    AttemptFailed failed = events.attemptFailed();
    assertThat(result.error()).isEqualTo(failed.error());
    assertThat(result.retryable()).isEqualTo(failed.retryable());
    assertThat(failed.rollbackErrors()).isEmpty();
    assertThat(snapshot()).isEqualTo(before);
    assertThat(failed.error()).doesNotContain(Migrations.TARGET_PASSWORD);
    return failed;
  }

  @Test
  void wrongTargetPasswordFailsPreflightForGood() throws Exception {
    AttemptFailed failed =
        runExpectingFailure(
            migrations.config(),
            Migrations.command(
                Migrations.newMigrationId(),
                1,
                migrations.target,
                List.of(),
                Secret.of("not-the-password")));

    assertThat(failed.step()).isEqualTo(Step.PREFLIGHT);
    assertThat(failed.retryable()).isFalse();
    assertThat(failed.error()).startsWith("target refused the password for user postgres");
  }

  @Test
  void unreachableTargetIsRetryableAndNamesHostAndPort() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    Envelope<StartMigration> command =
        Migrations.command(Migrations.newMigrationId(), 1, migrations.target, List.of());
    StartMigration start = command.payload();
    Envelope<StartMigration> elsewhere =
        Envelope.of(
            command.instanceId(),
            command.migrationId(),
            1,
            0,
            new StartMigration(
                start.instanceId(),
                start.databases(),
                new TargetServer(
                    "127.0.0.1",
                    closedPort,
                    "postgres",
                    Secret.of(Migrations.TARGET_PASSWORD),
                    null),
                start.options(),
                start.fencingToken()));

    AttemptFailed failed = runExpectingFailure(migrations.config(), elsewhere);

    assertThat(failed.step()).isEqualTo(Step.PREFLIGHT);
    assertThat(failed.retryable()).isTrue();
    assertThat(failed.error()).contains("target", "127.0.0.1:" + closedPort);
  }

  @Test
  void targetDatabaseThatExistsFailsPreflight() throws Exception {
    migrations.target.execute("postgres", "CREATE DATABASE shop");

    AttemptFailed failed =
        runExpectingFailure(
            migrations.config(),
            Migrations.command(Migrations.newMigrationId(), 1, migrations.target, List.of()));

    assertThat(failed.step()).isEqualTo(Step.PREFLIGHT);
    assertThat(failed.retryable()).isFalse();
    assertThat(failed.error()).startsWith("database \"shop\" exists on the target");
  }

  @Test
  void unknownSourceDatabaseFailsPreflightNamingIt() throws Exception {
    AttemptFailed failed =
        runExpectingFailure(
            migrations.config(),
            Migrations.command(
                Migrations.newMigrationId(),
                1,
                migrations.target,
                List.of(SourceFixture.SHOP, "No Such Db")));

    assertThat(failed.step()).isEqualTo(Step.PREFLIGHT);
    assertThat(failed.retryable()).isFalse();
    assertThat(failed.error()).startsWith("database \"No Such Db\" does not exist on the source");
  }

  @Test
  void pgDumpOlderThanTheSourceFailsPreflight() throws Exception {
    Path oldTools = Files.createDirectories(migrations.work.resolve("old-tools"));
    Path pgDump = oldTools.resolve("pg_dump");
    Files.writeString(pgDump, "#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.0'\n");
    Files.setPosixFilePermissions(pgDump, PosixFilePermissions.fromString("rwxr-xr-x"));
    AgentConfig config =
        migrations.config(oldTools, Map.of("root", migrations.diskRoot.toString()));

    AttemptFailed failed =
        runExpectingFailure(
            config,
            Migrations.command(Migrations.newMigrationId(), 1, migrations.target, List.of()));

    assertThat(failed.step()).isEqualTo(Step.PREFLIGHT);
    assertThat(failed.retryable()).isFalse();
    assertThat(failed.error())
        .isEqualTo(
            "pg_dump 9.6 is older than the source server 15: set PGSHUTTLE_PG_BINDIR to"
                + " PostgreSQL 15 or newer tools");
  }

  @Test
  void aDatabaseWithMoreTablesThanTheSourcesLockTableHoldsFailsDumpNamingTheSetting()
      throws Exception {
    // A lock table of a few hundred entries: pg_dump locks every table in one transaction.
    migrations.source.execute(
        "postgres",
        "ALTER SYSTEM SET max_locks_per_transaction = 10",
        "ALTER SYSTEM SET max_connections = 20");
    migrations.source.stop();
    migrations.source.start();
    migrations.source.execute(
        SourceFixture.SHOP,
        "CREATE SCHEMA crowded",
        "DO $$ BEGIN FOR i IN 1..2000 LOOP"
            + " EXECUTE format('CREATE TABLE crowded.%I (id int)', 't' || i);"
            + " IF i % 20 = 0 THEN COMMIT; END IF; END LOOP; END $$");

    AttemptFailed failed =
        runExpectingFailure(
            migrations.config(),
            Migrations.command(
                Migrations.newMigrationId(), 1, migrations.target, List.of(SourceFixture.SHOP)));

    assertThat(failed.step()).isEqualTo(Step.DUMP);
    assertThat(failed.retryable()).as(failed.error()).isFalse();
    assertThat(failed.error()).contains("out of shared memory", "max_locks_per_transaction");
  }

  @Test
  void missingDiskRootFailsProvisionDiskAndRollsBack() throws Exception {
    AgentConfig config =
        migrations.config(
            PostgresCluster.defaultBinDir(),
            Map.of("root", migrations.work.resolve("no-such-root").toString()));
    RecordingEventSink events = new RecordingEventSink();
    before = snapshot();

    AttemptResult result =
        migrations
            .runner(config)
            .run(
                Migrations.command(Migrations.newMigrationId(), 1, migrations.target, List.of()),
                events,
                new TestCancellation());

    AttemptFailed failed = events.attemptFailed();
    assertThat(result.retryable()).isFalse();
    assertThat(failed.step()).isEqualTo(Step.PROVISION_DISK);
    assertThat(failed.error()).contains("no-such-root");
    assertThat(failed.rollbackErrors()).isEmpty();
    assertThat(events.of(StepStarted.class).stream().map(StepStarted::step))
        .containsExactly(Step.PREFLIGHT, Step.PROVISION_DISK);
    assertThat(snapshot()).isEqualTo(before);
  }

  @Test
  void fullDiskRootFailsProvisionDisk() throws Exception {
    AgentConfig config =
        migrations.config(
            PostgresCluster.defaultBinDir(),
            Map.of("root", migrations.diskRoot.toString(), "capacityGiB", "0"));

    AttemptFailed failed =
        runExpectingFailure(
            config,
            Migrations.command(Migrations.newMigrationId(), 1, migrations.target, List.of()));

    assertThat(failed.step()).isEqualTo(Step.PROVISION_DISK);
    assertThat(failed.retryable()).isFalse();
    assertThat(failed.error()).contains("quota");
  }
}
