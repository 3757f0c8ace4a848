package io.pgshuttle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class StatusCommandTest {
  private final FakeBackends backends = new FakeBackends();

  @Test
  void showsTheMigrationAsATable() {
    backends.answerStatus(StatusSamples.running());

    CliRun run = CliRun.run(Map.of(), backends, "status", StatusSamples.MIGRATION_ID);

    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .contains("Migration     " + StatusSamples.MIGRATION_ID + "\n")
        .contains("State         RUNNING  (attempt 1 of 3)\n")
        .contains("Created       2024-05-01 12:00:00Z\n")
        .doesNotContain("Finished")
        .contains("STEP       STATE      STARTED               TOOK  DETAIL\n")
        .contains("PREFLIGHT  SUCCEEDED  2024-05-01 12:00:01Z  1.5s  source 15, target 15\n")
        .contains("DUMP       RUNNING    2024-05-01 12:00:03Z        [#########-----------]  45%")
        .contains("RESTORE    PENDING\n");
  }

  @Test
  void showsEveryAttemptWhenThereWasMoreThanOne() {
    backends.answerStatus(StatusSamples.succeeded());

    CliRun run = CliRun.run(Map.of(), backends, "status", StatusSamples.MIGRATION_ID);

    assertThat(run.out())
        .contains("Finished      2024-05-01 12:03:10Z  (3m09s)")
        .contains("ATTEMPT  STATE")
        .contains("target refused connections");
  }

  @Test
  void showsWhenTheNextAttemptIsDue() {
    backends.answerStatus(StatusSamples.retrying());

    CliRun run = CliRun.run(Map.of(), backends, "status", StatusSamples.MIGRATION_ID);

    assertThat(run.out())
        .contains("Next attempt  2024-05-01 12:00:50Z\n")
        .contains("Error         target refused connections\n");
  }

  @Test
  void printsTheJsonAsTheCoordinatorWroteIt() {
    backends.answerStatus(StatusSamples.succeeded());

    CliRun run = CliRun.run(Map.of(), backends, "status", StatusSamples.MIGRATION_ID, "--json");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).isEqualTo(StatusSamples.succeeded());
  }

  @Test
  void anUnknownMigrationIsBadInput() {
    backends.answerNotFound();

    CliRun run = CliRun.run(Map.of(), backends, "status", StatusSamples.MIGRATION_ID);

    assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err())
        .contains("knows no migration " + StatusSamples.MIGRATION_ID)
        .contains("PGSHUTTLE_COORDINATOR_URL");
  }

  @Test
  void anIdThatIsNotAMigrationIdIsBadInput() {
    CliRun run = CliRun.run(Map.of(), backends, "status", "not-an-id");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("'not-an-id' is not a migration id");
  }

  @Test
  void anUnreachableCoordinatorIsExitCode3() {
    backends.coordinatorFailure =
        CliException.unreachable(
            "cannot reach the coordinator: check PGSHUTTLE_COORDINATOR_URL", null);

    CliRun run = CliRun.run(Map.of(), backends, "status", StatusSamples.MIGRATION_ID);

    assertThat(run.exitCode()).isEqualTo(ExitCodes.UNREACHABLE);
    assertThat(run.err()).contains("PGSHUTTLE_COORDINATOR_URL");
  }

  @Test
  void aCoordinatorUrlThatIsNotHttpIsBadInput() {
    CliRun run =
        CliRun.run(
            Map.of("PGSHUTTLE_COORDINATOR_URL", "coordinator:8080"),
            backends,
            "status",
            StatusSamples.MIGRATION_ID);

    assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("PGSHUTTLE_COORDINATOR_URL 'coordinator:8080' is not an http");
  }

  @Test
  void unreadableStatusJsonNamesTheCoordinator() {
    backends.answerStatus("{\"state\": [1, 2]}");

    CliRun run = CliRun.run(Map.of(), backends, "status", StatusSamples.MIGRATION_ID);

    assertThat(run.exitCode()).isEqualTo(ExitCodes.UNREACHABLE);
    assertThat(run.err()).contains("cannot read").contains(FakeBackends.COORDINATOR_URL);
  }
}
