package io.pgshuttle.agent.pipeline;

import io.pgshuttle.agent.AgentConfig;
import io.pgshuttle.messages.AttemptFailed;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.MigrationSucceeded;
import io.pgshuttle.messages.StartMigration;
import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.StepFailed;
import io.pgshuttle.messages.StepStarted;
import io.pgshuttle.messages.StepSucceeded;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs attempts: the eight steps in order, each journaled before it starts and after it finishes,
 * with events for each; on a failure or a cancel, the compensations of every step that started, in
 * reverse, the failed one included. Steps never retry; the coordinator decides on another attempt
 * from the retryable flag of AttemptFailed.
 *
 * <p>Thread-safe: attempts of different migrations may run at once, each on its caller's thread. No
 * argument may be null.
 */
public final class AttemptRunner {
  private static final Logger log = LoggerFactory.getLogger(AttemptRunner.class);

  private final Duration progressInterval;
  private final AttemptJournalStore journals;
  private final FencingLedger fencing;
  private final List<PipelineStep> steps;
  private final Rollbacks rollbacks;

  /**
   * @param steps one step for each {@link Step}, in any order
   */
  @Inject
  public AttemptRunner(
      AgentConfig config,
      AttemptJournalStore journals,
      FencingLedger fencing,
      Set<PipelineStep> steps) {
    this(config.progressInterval(), journals, fencing, steps);
  }

  /**
   * @param steps one step for each {@link Step}, in any order
   * @throws IllegalArgumentException if a step is missing or named twice
   */
  public AttemptRunner(
      Duration progressInterval,
      AttemptJournalStore journals,
      FencingLedger fencing,
      Collection<PipelineStep> steps) {
    this.progressInterval = progressInterval;
    this.journals = journals;
    this.fencing = fencing;
    this.steps = steps.stream().sorted(Comparator.comparing(PipelineStep::name)).toList();
    EnumSet<Step> named = EnumSet.noneOf(Step.class);
    for (PipelineStep step : this.steps) {
      if (!named.add(step.name())) {
        throw new IllegalArgumentException("two implementations of step " + step.name());
      }
    }
    if (!named.equals(EnumSet.allOf(Step.class))) {
      throw new IllegalArgumentException(
          "no implementation of steps " + EnumSet.complementOf(named));
    }
    this.rollbacks = new Rollbacks(this.steps);
  }

  /**
   * Runs one attempt to its end and reports it through {@code events}: StepStarted, StepProgress,
   * StepSucceeded or StepFailed per step, then MigrationSucceeded or AttemptFailed (after the
   * rollback). A command that is stale (a later dispatch of the migration was seen) is refused
   * without events.
   *
   * @param command with the target password, which stays in memory
   * @throws IllegalStateException if this attempt has run before (its journal exists)
   */
  public AttemptResult run(
      Envelope<StartMigration> command, EventSink events, Cancellation cancellation) {
    if (fencing.isStale(command)) {
      log.warn(
          "refused attempt {} of {}: a later dispatch of this migration was seen",
          command.attempt(),
          command.migrationId());
      return AttemptResult.failure(
          "stale command: a later dispatch of migration " + command.migrationId() + " was seen",
          false);
    }
    fencing.record(command);
    List<FileAttemptJournal> earlierAttempts =
        journals.earlierAttempts(command.migrationId(), command.attempt());
    Optional<FileAttemptJournal> succeeded =
        earlierAttempts.stream()
            .filter(earlier -> earlier.status() == AttemptStatus.SUCCEEDED)
            .findFirst();
    FileAttemptJournal journal = journals.create(command);
    if (succeeded.isPresent()) {
      return reportEarlierSuccess(command, journal, succeeded.get(), events);
    }
    RunningAttempt context =
        new RunningAttempt(
            command,
            journal,
            new RateLimitedProgressReporter(events, progressInterval, System::nanoTime),
            cancellation);
    log.info("attempt {} of migration {} starts", command.attempt(), command.migrationId());
    List<Step> started = new ArrayList<>();
    for (PipelineStep step : steps) {
      StepException cancelled = cancellationFailure(cancellation);
      if (cancelled != null) {
        return rollBack(context, journal, started, null, cancelled, events);
      }
      journal.stepStarted(step.name());
      started.add(step.name());
      events.emit(new StepStarted(step.name()));
      long startNanos = System.nanoTime();
      // PREFLIGHT checks that the target is clear, so what earlier attempts left there goes first.
      StepException failure =
          step.name() == Step.PREFLIGHT
              ? finishEarlierRollbacks(command, earlierAttempts, context)
              : null;
      if (failure == null) {
        failure = execute(step, context);
      }
      if (failure != null) {
        events.emit(new StepFailed(step.name(), failure.getMessage(), failure.retryable()));
        return rollBack(context, journal, started, step.name(), failure, events);
      }
      journal.stepFinished(step.name());
      long millis = Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
      events.emit(
          new StepSucceeded(
              step.name(), millis, AttemptRecords.summary(journal, step.name()).orElse(null)));
    }
    journal.finish(AttemptStatus.SUCCEEDED);
    log.info("attempt {} of migration {} succeeded", command.attempt(), command.migrationId());
    report(journal, events);
    return AttemptResult.success();
  }

  /**
   * Answers an attempt of a migration that an earlier attempt already completed here with that
   * success, without running anything: the coordinator dispatched it because it lost sight of the
   * earlier one (an agent cut off from the broker for longer than the heartbeat timeout), and
   * running again would only find the databases on the target and fail the migration.
   */
  private static AttemptResult reportEarlierSuccess(
      Envelope<StartMigration> command,
      FileAttemptJournal journal,
      FileAttemptJournal earlier,
      EventSink events) {
    log.warn(
        "attempt {} of migration {}: attempt {} already succeeded here; reporting that success"
            + " instead of migrating again",
        command.attempt(),
        command.migrationId(),
        earlier.command().attempt());
    AttemptRecords.recordDatabases(journal, AttemptRecords.databases(earlier));
    AttemptRecords.verification(earlier)
        .ifPresent(verification -> AttemptRecords.recordVerification(journal, verification));
    journal.finish(AttemptStatus.SUCCEEDED);
    report(journal, events);
    return AttemptResult.success();
  }

  /**
   * Rolls back the attempts a killed agent left RUNNING, and reports each as AttemptFailed
   * (retryable, unless it was already rolling back from a failure that is not). The target password
   * is not on disk, so compensations that need the target report rollback errors and leave their
   * leftovers to the next attempt. Also sends the final event of finished attempts whose report the
   * agent may not have sent. Call once at agent start, before taking commands.
   *
   * @param sinks the event sink of each attempt, given its journaled command (without password)
   */
  public void recover(Function<Envelope<StartMigration>, EventSink> sinks) {
    for (FileAttemptJournal journal : journals.all()) {
      Envelope<StartMigration> command = journal.command();
      if (journal.status() == AttemptStatus.RUNNING) {
        rollBackAfterRestart(journal, command, sinks.apply(command));
      } else if (!journal.reported()) {
        report(journal, sinks.apply(command));
      }
    }
  }

  private void rollBackAfterRestart(
      FileAttemptJournal journal, Envelope<StartMigration> command, EventSink events) {
    List<Step> startedNames = journal.stepsStarted();
    Step last = startedNames.isEmpty() ? null : startedNames.get(startedNames.size() - 1);
    AttemptFailure earlier = journal.failure().orElse(null);
    log.warn(
        "attempt {} of migration {} was left running by a killed agent; rolling it back",
        command.attempt(),
        command.migrationId());
    RunningAttempt context =
        new RunningAttempt(command, journal, progress -> {}, new NeverCancelled());
    Rollbacks.Outcome rollback = rollbacks.compensate(context, startedNames);
    AttemptFailure failure =
        earlier != null
            ? new AttemptFailure(
                earlier.step(),
                earlier.error() + " (the agent restarted during the rollback)",
                earlier.retryable(),
                null,
                null)
            : new AttemptFailure(last, restartMessage(last), true, null, null);
    journal.recordFailure(failure.withRollback(rollback));
    journal.finish(AttemptStatus.FAILED);
    report(journal, events);
  }

  /**
   * Finishes the rollbacks that earlier attempts of this migration left undone, with this command's
   * target password: an agent restarted during an attempt rolls it back without the password (never
   * written to disk), so staging databases, roles or a committed CUTOVER stay on the target until
   * now. The compensations that failed run again (see {@link Rollbacks#finish}).
   *
   * @return a retryable failure naming what still could not be undone; null when all is undone
   */
  private StepException finishEarlierRollbacks(
      Envelope<StartMigration> command,
      List<FileAttemptJournal> earlierAttempts,
      RunningAttempt current) {
    for (FileAttemptJournal earlier : earlierAttempts) {
      List<String> errors =
          rollbacks.finish(earlier, command.payload().target(), current.cancellation());
      if (!errors.isEmpty()) {
        return new RetryableStepException(
            "the rollback of attempt "
                + earlier.command().attempt()
                + " is still not finished: "
                + String.join("; ", errors));
      }
    }
    return null;
  }

  /** The error of an attempt whose agent was killed while {@code step} ran. */
  static String restartMessage(Step step) {
    return step == null
        ? "agent restarted before the first step; nothing to roll back"
        : "agent restarted during " + step + "; rolled back";
  }

  private static StepException execute(PipelineStep step, AttemptContext context) {
    try {
      step.execute(context);
      return null;
    } catch (StepException e) {
      StepException cancelled = cancellationFailure(context.cancellation());
      return cancelled != null ? cancelled : e;
    } catch (RuntimeException | LinkageError e) {
      // A linkage error is a defect of the agent's class path, not of the JVM: the attempt must
      // still roll back and be reported.
      log.error("step {} failed unexpectedly", step.name(), e);
      StepException cancelled = cancellationFailure(context.cancellation());
      return cancelled != null
          ? cancelled
          : new NonRetryableStepException(step.name() + " failed unexpectedly: " + e, e);
    }
  }

  /** The failure a cancel means, or null if the attempt is not cancelled. */
  private static StepException cancellationFailure(Cancellation cancellation) {
    try {
      cancellation.throwIfCancelled();
      return null;
    } catch (StepException e) {
      return e;
    }
  }

  private AttemptResult rollBack(
      RunningAttempt context,
      FileAttemptJournal journal,
      List<Step> started,
      Step failedStep,
      StepException cause,
      EventSink events) {
    log.warn(
        "attempt {} of migration {} failed{}: {}; rolling back",
        context.attempt(),
        context.migrationId(),
        failedStep == null ? "" : " in " + failedStep,
        cause.getMessage());
    AttemptFailure failure =
        new AttemptFailure(failedStep, cause.getMessage(), cause.retryable(), null, null);
    journal.recordFailure(failure);
    journal.recordFailure(failure.withRollback(rollbacks.compensate(context, started)));
    journal.finish(AttemptStatus.FAILED);
    report(journal, events);
    return AttemptResult.failure(cause.getMessage(), cause.retryable());
  }

  /** Sends the final event of a finished attempt and records that it was sent. */
  private static void report(FileAttemptJournal journal, EventSink events) {
    if (journal.status() == AttemptStatus.SUCCEEDED) {
      events.emit(
          new MigrationSucceeded(
              AttemptRecords.databases(journal),
              AttemptRecords.verification(journal).orElse(null)));
    } else {
      AttemptFailure failure = journal.failure().orElseThrow();
      events.emit(
          new AttemptFailed(
              failure.step(), failure.error(), failure.retryable(), failure.rollbackErrors()));
    }
    journal.markReported();
  }
}
