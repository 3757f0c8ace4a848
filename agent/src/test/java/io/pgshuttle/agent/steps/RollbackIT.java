package io.pgshuttle.agent.steps;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgshuttle.agent.AgentConfig;
import io.pgshuttle.agent.pipeline.AttemptResult;
import io.pgshuttle.agent.pipeline.EventSink;
import io.pgshuttle.agent.pipeline.TestCancellation;
import io.pgshuttle.messages.AttemptFailed;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.StartMigration;
import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.StepFailed;
import io.pgshuttle.messages.StepProgress;
import io.pgshuttle.messages.StepStarted;
import io.pgshuttle.messages.StepSucceeded;
import io.pgshuttle.testkit.PostgresCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A failure or a cancel half way through an attempt rolls back everything it did. */
class RollbackIT {
  private Migrations migrations;

  @BeforeEach
  void start() {
    migrations = new Migrations();
    SourceFixture.create(migrations.source);
  }

  @AfterEach
  void stop() {
    migrations.close();
  }

  /**
   * Tools whose pg_restore fails on the second database, after the first is restored: the real
   * tools otherwise.
   */
  private Path toolsFailingOnSecondRestore() throws Exception {
    Path tools = Files.createDirectories(migrations.work.resolve("tools"));
    Path real = PostgresCluster.defaultBinDir();
    for (String tool : List.of("pg_dump", "pg_dumpall", "psql")) {
      Files.createSymbolicLink(tools.resolve(tool), real.resolve(tool));
    }
    Path pgRestore = tools.resolve("pg_restore");
    Files.writeString(
        pgRestore,
        "#!/bin/sh\n"
            + "for argument in \"$@\"; do\n"
            + "  case \"$argument\" in\n"
            + "    *pgshuttle_stage_*_2*)\n"
            + "      echo 'pg_restore: error: could not execute query: ERROR:  disk quota exceeded"
            + " on the target' >&2\n"
            + "      exit 1;;\n"
            + "  esac\n"
            + "done\n"
            + "exec "
            + real.resolve("pg_restore")
            + " \"$@\"\n");
    Files.setPosixFilePermissions(pgRestore, PosixFilePermissions.fromString("rwxr-xr-x"));
    return tools;
  }

  @Test
  void restoreFailureDropsStagingDatabasesAndCreatedRolesAndReopensTheSource() throws Exception {
    PostgresCluster source = migrations.source;
    PostgresCluster target = migrations.target;
    List<List<String>> sourceAcl = MigrationPipelineIT.databaseAcl(source, SourceFixture.SHOP);
    List<List<String>> sourceDatabases =
        source.query("postgres", "SELECT datname, datconnlimit FROM pg_database ORDER BY 1");
    List<List<String>> targetRoles =
        target.query("postgres", "SELECT rolname FROM pg_roles ORDER BY 1");
    List<List<String>> targetDatabases =
        target.query("postgres", "SELECT datname FROM pg_database ORDER BY 1");
    AgentConfig config =
        migrations.config(
            toolsFailingOnSecondRestore(), Map.of("root", migrations.diskRoot.toString()));
    Envelope<StartMigration> command =
        Migrations.command(Migrations.newMigrationId(), 1, target, List.of());
    RecordingEventSink events = new RecordingEventSink();

    AttemptResult result = migrations.runner(config).run(command, events, new TestCancellation());

    assertThat(result.succeeded()).isFalse();
    AttemptFailed failed = events.attemptFailed();
    assertThat(failed.step()).isEqualTo(Step.RESTORE);
    assertThat(failed.error())
        .contains(
            "pg_restore --section=pre-data into \"pgshuttle_stage_",
            "_2\" failed",
            "disk quota exceeded");
    assertThat(failed.retryable()).isTrue();
    assertThat(failed.rollbackErrors()).isEmpty();
    assertThat(events.of(StepFailed.class))
        .containsExactly(new StepFailed(Step.RESTORE, failed.error(), true));
    assertThat(events.of(StepProgress.class))
        .as("the first database was restored before the failure")
        .anySatisfy(
            progress -> {
              assertThat(progress.step()).isEqualTo(Step.RESTORE);
              assertThat(progress.tablesDone()).isPositive();
            });
    assertThat(target.query("postgres", "SELECT datname FROM pg_database ORDER BY 1"))
        .isEqualTo(targetDatabases);
    assertThat(target.query("postgres", "SELECT rolname FROM pg_roles ORDER BY 1"))
        .isEqualTo(targetRoles);
    assertThat(source.query("postgres", "SELECT datname, datconnlimit FROM pg_database ORDER BY 1"))
        .isEqualTo(sourceDatabases);
    assertThat(MigrationPipelineIT.databaseAcl(source, SourceFixture.SHOP)).isEqualTo(sourceAcl);
    try (var disks = Files.list(migrations.diskRoot)) {
      assertThat(disks).isEmpty();
    }
  }

  @Test
  void cancelDuringDumpStopsTheToolsAndRollsBack() throws Exception {
    PostgresCluster source = migrations.source;
    List<List<String>> sourceAcl = MigrationPipelineIT.databaseAcl(source, SourceFixture.SHOP);
    TestCancellation cancellation = new TestCancellation();
    RecordingEventSink events = new RecordingEventSink();
    EventSink cancellingAtDump =
        event -> {
          events.emit(event);
          if (event.equals(new StepStarted(Step.DUMP))) {
            cancellation.cancel();
          }
        };

    AttemptResult result =
        migrations
            .runner(migrations.config())
            .run(
                Migrations.command(Migrations.newMigrationId(), 1, migrations.target, List.of()),
                cancellingAtDump,
                cancellation);

    assertThat(result).isEqualTo(AttemptResult.failure("migration cancelled by the test", false));
    AttemptFailed failed = events.attemptFailed();
    // RESTORE runs alongside DUMP: it starts at once and is stopped with it.
    assertThat(failed.step()).isIn(Step.DUMP, Step.RESTORE);
    assertThat(failed.rollbackErrors()).isEmpty();
    assertThat(events.of(StepSucceeded.class))
        .extracting(StepSucceeded::step)
        .doesNotContain(Step.DUMP, Step.RESTORE);
    assertThat(migrations.target.userDatabases()).isEmpty();
    assertThat(MigrationPipelineIT.databaseAcl(source, SourceFixture.SHOP)).isEqualTo(sourceAcl);
    assertThat(
            source.queryValue(
                "postgres", "SELECT datconnlimit FROM pg_database WHERE datname = 'shop'"))
        .isEqualTo(Integer.toString(SourceFixture.SHOP_CONNECTION_LIMIT));
    try (var disks = Files.list(migrations.diskRoot)) {
      assertThat(disks).isEmpty();
    }
  }
}
