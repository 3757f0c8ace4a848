package io.pgshuttle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgshuttle.messages.AgentHeartbeat;
import io.pgshuttle.messages.AttemptFailed;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.MigrationCancelled;
import io.pgshuttle.messages.MigrationFailed;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.MigrationSucceeded;
import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.StepFailed;
import io.pgshuttle.messages.StepProgress;
import io.pgshuttle.messages.StepStarted;
import io.pgshuttle.messages.StepSucceeded;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WatchCommandTest {
  private static final MigrationId ID = MigrationId.parse(StatusSamples.MIGRATION_ID);

  private final FakeBackends backends = new FakeBackends();

  @Test
  void printsTheStatusThenEachEventUntilTheMigrationSucceeds() {
    backends.answerStatus(StatusSamples.running(), StatusSamples.succeeded());
    event(1, 1, new StepProgress(Step.DUMP, 50.0, null, null, null, null, null));
    event(1, 2, new AgentHeartbeat(Step.DUMP));
    event(1, 3, new StepSucceeded(Step.DUMP, 65_000, "3 databases, 2.7 GiB"));
    event(1, 4, new StepStarted(Step.RESTORE));
    event(1, 5, new StepFailed(Step.RESTORE, "target refused connections", true));
    event(1, 6, new AttemptFailed(Step.RESTORE, "target refused connections", true, List.of()));
    event(2, 1, new StepStarted(Step.PREFLIGHT));
    event(2, 9, new MigrationSucceeded(List.of("shop"), "14 tables equal"));

    CliRun run = CliRun.run(Map.of(), backends, "watch", StatusSamples.MIGRATION_ID);

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(backends.subscriptions).containsExactly(ID);
    assertThat(run.out())
        .contains("State         RUNNING  (attempt 1 of 3)")
        .contains(
            "[attempt 1] DUMP            [##########----------]  50%\n"
                + "[attempt 1] DUMP            succeeded in 1m05s: 3 databases, 2.7 GiB\n"
                + "[attempt 1] RESTORE         started\n"
                + "[attempt 1] RESTORE         failed: target refused connections\n"
                + "attempt 1 failed: target refused connections (retryable)\n"
                + "attempt 2 of 3 started\n"
                + "[attempt 2] PREFLIGHT       started\n"
                + "migration SUCCEEDED: 14 tables equal\n")
        .contains("State         SUCCEEDED  (attempt 2 of 3)");
  }

  @Test
  void exitsOneWhenTheMigrationFails() {
    backends.answerStatus(StatusSamples.running(), StatusSamples.failed());
    event(1, 1, new MigrationFailed("no attempts left"));

    CliRun run = CliRun.run(Map.of(), backends, "watch", StatusSamples.MIGRATION_ID);

    assertThat(run.exitCode()).isEqualTo(ExitCodes.MIGRATION_FAILED);
    assertThat(run.out()).contains("migration FAILED: no attempts left");
  }

  @Test
  void exitsOneWhenTheMigrationIsCancelled() {
    backends.answerStatus(StatusSamples.cancelling(), StatusSamples.cancelled());
    event(
        2, 7, new AttemptFailed(Step.DUMP, "migration cancelled: wrong target", false, List.of()));
    event(2, Envelope.COORDINATOR_MIGRATION_CANCELLED_SEQ, new MigrationCancelled("wrong target"));

    CliRun run = CliRun.run(Map.of(), backends, "watch", StatusSamples.MIGRATION_ID);

    assertThat(run.exitCode()).isEqualTo(ExitCodes.MIGRATION_FAILED);
    assertThat(run.out())
        .contains("Cancel        requested 2024-05-01 12:00:30Z: wrong target")
        .contains(
            "attempt 2 failed: migration cancelled: wrong target (not retryable)\n"
                + "migration CANCELLED: wrong target\n")
        .contains("State         CANCELLED  (attempt 2 of 3)");
    assertThat(backends.events).isEmpty();
  }

  @Test
  void noticesAMigrationThatEndsWithoutAnEvent() {
    backends.answerStatus(StatusSamples.running(), StatusSamples.failed());

    CliRun run = CliRun.run(Map.of(), backends, "watch", StatusSamples.MIGRATION_ID);

    assertThat(run.exitCode()).isEqualTo(ExitCodes.MIGRATION_FAILED);
    assertThat(run.out())
        .contains("migration FAILED: no agent for instance vm-1")
        .contains("State         FAILED");
  }

  @Test
  void anEndedMigrationIsShownOnceWithItsExitCode() {
    backends.answerStatus(StatusSamples.succeeded());

    CliRun run = CliRun.run(Map.of(), backends, "watch", StatusSamples.MIGRATION_ID);

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("State         SUCCEEDED").doesNotContain("Following");
  }

  private void event(int attempt, long seq, Event payload) {
    backends.events.add(Envelope.of("vm-1", ID, attempt, seq, payload));
  }
}
