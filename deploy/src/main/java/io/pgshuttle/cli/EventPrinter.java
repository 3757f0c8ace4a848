package io.pgshuttle.cli;

import io.pgshuttle.cli.MigrationStatus.Progress;
import io.pgshuttle.messages.AttemptFailed;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.MigrationCancelled;
import io.pgshuttle.messages.MigrationFailed;
import io.pgshuttle.messages.MigrationSucceeded;
import io.pgshuttle.messages.StepFailed;
import io.pgshuttle.messages.StepProgress;
import io.pgshuttle.messages.StepStarted;
import io.pgshuttle.messages.StepSucceeded;
import java.time.Duration;
import java.util.OptionalInt;

/**
 * Prints a migration's events through a {@link ProgressView}, for {@code watch}. Not thread-safe.
 */
final class EventPrinter {
  private final ProgressView view;
  private final Integer maxAttempts;
  private int attempt;

  /**
   * @param current the status already shown; events of its attempt continue it
   */
  EventPrinter(ProgressView view, MigrationStatus current) {
    this.view = view;
    this.maxAttempts = current.maxAttempts();
    this.attempt = current.attempt() == null ? 0 : current.attempt();
  }

  /**
   * Prints one event.
   *
   * @return the exit code when the event ends the migration, else empty
   */
  OptionalInt show(Envelope<Event> envelope) {
    int eventAttempt = envelope.attempt();
    if (eventAttempt > attempt) {
      attempt = eventAttempt;
      view.attemptStarted(attempt, maxAttempts);
    }
    Event event = envelope.payload();
    if (event instanceof StepStarted started) {
      view.stepStarted(eventAttempt, started.step().name());
    } else if (event instanceof StepProgress progress) {
      view.stepProgress(
          eventAttempt,
          progress.step().name(),
          new Progress(
              progress.percent(),
              progress.bytesDone(),
              progress.bytesTotal(),
              progress.tablesDone(),
              progress.tablesTotal(),
              progress.detail(),
              progress.etaSeconds()));
    } else if (event instanceof StepSucceeded succeeded) {
      view.stepSucceeded(
          eventAttempt,
          succeeded.step().name(),
          Duration.ofMillis(succeeded.durationMillis()),
          succeeded.summary());
    } else if (event instanceof StepFailed failed) {
      view.stepFailed(eventAttempt, failed.step().name(), failed.error());
    } else if (event instanceof AttemptFailed failed) {
      view.attemptFailed(eventAttempt, failed.error(), failed.retryable());
    } else if (event instanceof MigrationSucceeded succeeded) {
      view.migrationEnded("SUCCEEDED", succeeded.verification());
      return OptionalInt.of(ExitCodes.OK);
    } else if (event instanceof MigrationFailed failed) {
      view.migrationEnded("FAILED", failed.error());
      return OptionalInt.of(ExitCodes.MIGRATION_FAILED);
    } else if (event instanceof MigrationCancelled cancelled) {
      view.migrationEnded("CANCELLED", cancelled.reason());
      return OptionalInt.of(ExitCodes.MIGRATION_FAILED);
    }
    // AgentHeartbeat says only that the agent lives: nothing to show.
    return OptionalInt.empty();
  }
}
