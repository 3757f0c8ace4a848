package io.pgshuttle.agent.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgshuttle.agent.AgentConfig;
import io.pgshuttle.agent.pipeline.AttemptJournalStore;
import io.pgshuttle.agent.pipeline.AttemptResult;
import io.pgshuttle.agent.pipeline.AttemptRunner;
import io.pgshuttle.agent.pipeline.AttemptStatus;
import io.pgshuttle.agent.pipeline.RetryableStepException;
import io.pgshuttle.agent.pipeline.TestCancellation;
import io.pgshuttle.messages.AttemptFailed;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.Step;
import io.pgshuttle.testkit.PostgresCluster;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An agent killed during RESTORE: on restart the runner rolls back what it can without the target
 * password, reports the attempt as retryable, and the next attempt takes over the leftovers on the
 * target (drops them if it fails, keeps them if it succeeds).
 */
class RecoveryIT {
  private Migrations migrations;

  /** Stands for the agent's process dying: nothing in the runner catches it. */
  private static final class AgentKilled extends Error {
    AgentKilled() {
      super("agent killed by the test");
    }
  }

  @BeforeEach
  void start() {
    migrations = new Migrations();
    SourceFixture.create(migrations.source);
  }

  @AfterEach
  void stop() {
    migrations.close();
  }

  /** A runner whose agent dies right after {@code killed} did its work. */
  private AttemptRunner killedAfter(AgentConfig config, Step killed) {
    return migrations.runner(
        config,
        step ->
            step.name() == killed
                ? Migrations.after(
                    step,
                    () -> {
                      throw new AgentKilled();
                    })
                : step);
  }

  private static List<String> stagingDatabases(PostgresCluster target) {
    return target
        .query("postgres", "SELECT datname FROM pg_database WHERE datname LIKE 'pgshuttle_stage%'")
        .stream()
        .map(row -> row.get(0))
        .toList();
  }

  private static List<List<String>> roles(PostgresCluster target) {
    return target.query("postgres", "SELECT rolname FROM pg_roles ORDER BY 1");
  }

  @Test
  void rollsBackAKilledAttemptAndTheNextAttemptsCleanUpItsLeftovers() throws Exception {
    PostgresCluster source = migrations.source;
    PostgresCluster target = migrations.target;
    AgentConfig config = migrations.config();
    MigrationId migrationId = Migrations.newMigrationId();
    List<List<String>> sourceAcl = MigrationPipelineIT.databaseAcl(source, SourceFixture.SHOP);
    List<List<String>> targetRoles = roles(target);

    AttemptRunner killedDuringRestore = killedAfter(config, Step.RESTORE);
    assertThatThrownBy(
            () ->
                killedDuringRestore.run(
                    Migrations.command(migrationId, 1, target, List.of()),
                    new RecordingEventSink(),
                    new TestCancellation()))
        .isInstanceOf(AgentKilled.class);
    assertThat(stagingDatabases(target)).hasSize(2);
    assertThat(
            source.queryValue(
                "postgres", "SELECT datconnlimit FROM pg_database WHERE datname = 'shop'"))
        .isEqualTo("0");

    List<RecordingEventSink> sinks = new ArrayList<>();
    migrations
        .runner(config)
        .recover(
            command -> {
              assertThat(command.attempt()).isEqualTo(1);
              assertThat(command.payload().target().password()).isNull();
              RecordingEventSink sink = new RecordingEventSink();
              sinks.add(sink);
              return sink;
            });

    assertThat(sinks).hasSize(1);
    AttemptFailed recovered = sinks.get(0).attemptFailed();
    assertThat(recovered.step()).isEqualTo(Step.RESTORE);
    assertThat(recovered.error()).isEqualTo("agent restarted during RESTORE; rolled back");
    assertThat(recovered.retryable()).isTrue();
    assertThat(recovered.rollbackErrors())
        .singleElement()
        .asString()
        .startsWith("RESTORE: left staging database")
        .contains("password is not kept on disk");
    assertThat(MigrationPipelineIT.databaseAcl(source, SourceFixture.SHOP)).isEqualTo(sourceAcl);
    assertThat(
            source.queryValue(
                "postgres", "SELECT datconnlimit FROM pg_database WHERE datname = 'shop'"))
        .isEqualTo(Integer.toString(SourceFixture.SHOP_CONNECTION_LIMIT));
    try (var disks = Files.list(migrations.diskRoot)) {
      assertThat(disks).isEmpty();
    }
    assertThat(
            new AttemptJournalStore(config.stateDir()).find(migrationId, 1).orElseThrow().status())
        .isEqualTo(AttemptStatus.FAILED);
    migrations
        .runner(config)
        .recover(
            command -> {
              throw new AssertionError("nothing is left to recover, yet " + command + " was");
            });

    AttemptRunner failingAfterRestore =
        migrations.runner(
            config,
            step ->
                step.name() == Step.RESTORE
                    ? Migrations.after(
                        step,
                        () -> {
                          throw new RetryableStepException("the target went away");
                        })
                    : step);
    AttemptResult second =
        failingAfterRestore.run(
            Migrations.command(migrationId, 2, target, List.of()),
            new RecordingEventSink(),
            new TestCancellation());
    assertThat(second.succeeded()).isFalse();
    assertThat(stagingDatabases(target)).isEmpty();
    assertThat(roles(target)).as("roles the killed attempt made").isEqualTo(targetRoles);

    RecordingEventSink third = new RecordingEventSink();
    AttemptResult result =
        migrations
            .runner(config)
            .run(
                Migrations.command(migrationId, 3, target, List.of()),
                third,
                new TestCancellation());
    assertThat(result.succeeded()).as(result.error()).isTrue();
    assertThat(target.userDatabases()).containsExactlyInAnyOrderElementsOf(SourceFixture.DATABASES);
    assertThat(stagingDatabases(target)).isEmpty();
    MigrationPipelineIT.assertSameData(source, target);
  }

  @Test
  void theNextAttemptRevertsACutoverThatAKilledAttemptCommittedAndMigratesAgain() {
    PostgresCluster source = migrations.source;
    PostgresCluster target = migrations.target;
    AgentConfig config = migrations.config();
    MigrationId migrationId = Migrations.newMigrationId();
    AttemptRunner killedAfterCutover = killedAfter(config, Step.CUTOVER);
    assertThatThrownBy(
            () ->
                killedAfterCutover.run(
                    Migrations.command(migrationId, 1, target, List.of()),
                    new RecordingEventSink(),
                    new TestCancellation()))
        .isInstanceOf(AgentKilled.class);
    RecordingEventSink recovery = new RecordingEventSink();
    migrations.runner(config).recover(command -> recovery);

    AttemptFailed recovered = recovery.attemptFailed();
    assertThat(recovered.error()).isEqualTo("agent restarted during CUTOVER; rolled back");
    assertThat(recovered.rollbackErrors())
        .as("without the password the renames and the databases stay")
        .hasSize(2)
        .anySatisfy(error -> assertThat(error).startsWith("CUTOVER: left database"))
        .anySatisfy(error -> assertThat(error).startsWith("RESTORE: left staging database"));
    assertThat(target.userDatabases()).containsExactlyInAnyOrderElementsOf(SourceFixture.DATABASES);

    RecordingEventSink second = new RecordingEventSink();
    AttemptResult result =
        migrations
            .runner(config)
            .run(
                Migrations.command(migrationId, 2, target, List.of()),
                second,
                new TestCancellation());

    assertThat(result.succeeded()).as(result.error()).isTrue();
    assertThat(target.userDatabases()).containsExactlyInAnyOrderElementsOf(SourceFixture.DATABASES);
    assertThat(stagingDatabases(target)).isEmpty();
    MigrationPipelineIT.assertSameData(source, target);
    assertThat(
            new AttemptJournalStore(config.stateDir())
                .find(migrationId, 1)
                .orElseThrow()
                .failure()
                .orElseThrow()
                .rollbackErrors())
        .as("attempt 2 finished the rollback of attempt 1")
        .isEmpty();
  }
}
