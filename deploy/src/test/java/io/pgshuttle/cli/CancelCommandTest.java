package io.pgshuttle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CancelCommandTest {
  private static final String ID = StatusSamples.MIGRATION_ID;

  private final FakeBackends backends = new FakeBackends();

  @Test
  void asksTheCoordinatorWithTheReasonAndSaysTheAgentIsStopping() {
    backends.cancelAnswer = Optional.of(StatusSamples.cancelling());

    CliRun run = CliRun.run(Map.of(), backends, "cancel", ID, "--reason", "wrong target");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(backends.cancels).containsExactly(ID + " reason=wrong target");
    assertThat(run.out())
        .isEqualTo(
            "cancel of migration "
                + ID
                + " requested: the agent of instance vm-1 stops attempt 2 and rolls it back, then"
                + " the migration ends CANCELLED (`pgshuttle watch "
                + ID
                + "` follows it)\n");
  }

  @Test
  void aMigrationCancelledAtOnceIsSaidSoAndNoReasonIsSentWhenNoneIsGiven() {
    backends.cancelAnswer = Optional.of(StatusSamples.cancelled());

    CliRun run = CliRun.run(Map.of(), backends, "cancel", ID);

    assertThat(run.exitCode()).isZero();
    assertThat(backends.cancels).containsExactly(ID + " reason=null");
    assertThat(run.out())
        .startsWith("migration " + ID + " CANCELLED: cancelled on request: wrong target");
  }

  @Test
  void printsTheCoordinatorsJsonAsItIs() {
    backends.cancelAnswer = Optional.of(StatusSamples.cancelling());

    CliRun run = CliRun.run(Map.of(), backends, "cancel", ID, "--json");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).isEqualTo(StatusSamples.cancelling());
  }

  @Test
  void waitFollowsTheMigrationAndExitsZeroWhenItEndsCancelled() {
    backends.cancelAnswer = Optional.of(StatusSamples.cancelling());
    backends.answerStatus(StatusSamples.cancelling(), StatusSamples.cancelled());

    CliRun run = CliRun.run(Map.of(), backends, "cancel", ID, "--wait");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err())
        .contains("cancel of migration " + ID + " requested")
        .contains("following it")
        .contains("[attempt 2] DUMP            failed: migration cancelled: wrong target")
        .contains("migration CANCELLED: cancelled on request: wrong target");
    assertThat(run.out())
        .contains("State         CANCELLED  (attempt 2 of 3)")
        .contains("Cancel        requested 2024-05-01 12:00:30Z: wrong target");
  }

  @Test
  void waitExitsOneWhenTheAgentFinishedBeforeTheCancelReachedIt() {
    backends.cancelAnswer = Optional.of(StatusSamples.cancelling());
    backends.answerStatus(StatusSamples.succeeded());

    CliRun run = CliRun.run(Map.of(), backends, "cancel", ID, "--wait", "--json");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.MIGRATION_FAILED);
    assertThat(run.err()).contains("the cancel came too late").contains(ID + " SUCCEEDED");
    assertThat(run.out()).isEqualTo(StatusSamples.succeeded());
  }

  @Test
  void anUnknownOrMalformedIdIsBadInput() {
    CliRun unknown = CliRun.run(Map.of(), backends, "cancel", ID);
    CliRun malformed = CliRun.run(Map.of(), backends, "cancel", "not-an-id");

    assertThat(unknown.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(unknown.err()).contains("knows no migration " + ID);
    assertThat(malformed.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(malformed.err()).contains("'not-an-id' is not a migration id");
    assertThat(backends.cancels).containsExactly(ID + " reason=null");
  }

  @Test
  void aMigrationThatEndedIsRefusedWithTheCoordinatorsWords() {
    backends.cancelRefusal =
        CliException.badInput(
            "the coordinator refused the request: migration "
                + ID
                + " ended SUCCEEDED already: there is nothing to cancel");

    CliRun run = CliRun.run(Map.of(), backends, "cancel", ID, "--wait");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("ended SUCCEEDED already: there is nothing to cancel");
  }

  @Test
  void anUnreachableCoordinatorIsExitCode3() {
    backends.coordinatorFailure =
        CliException.unreachable(
            "cannot reach the coordinator: check PGSHUTTLE_COORDINATOR_URL", null);

    CliRun run = CliRun.run(Map.of(), backends, "cancel", ID);

    assertThat(run.exitCode()).isEqualTo(ExitCodes.UNREACHABLE);
    assertThat(run.err()).contains("PGSHUTTLE_COORDINATOR_URL");
  }
}
