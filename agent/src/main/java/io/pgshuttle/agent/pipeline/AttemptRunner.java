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
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs attempts: the eight steps in order, each journaled before it starts and after it finishes,
 * with events for each; on a failure or a cancel, the compensations of every step that started, in
 * reverse, the failed one included. Steps never retry; the coordinator decides on another attempt
 * from the retryable flag of AttemptFailed.
 *
 * <p>A step whose {@link PipelineStep#runsAlongsideNext()} says so runs on a thread of its own
 * while the next step runs on the attempt's thread (DUMP and RESTORE, so that RESTORE loads each
 * table as soon as DUMP has it on the disk). Both are journaled and announced as started, the first
 * one first, and each ends with its own StepSucceeded or StepFailed, in whichever order they end.
 * When one fails, the other is stopped through its cancellation (its tools are killed, and {@link
 * Cancellation#throwIfCancelled} throws) and fails saying so; AttemptFailed carries the failure
 * that came first. The step after the two starts only when both succeeded, and the attempt's thread
 * waits for the other thread to end before it goes on or rolls back. The two steps share the
 * journal, the progress reporter and {@link AttemptContext#shared} objects, which are thread-safe.
 * Only pairs: a step that runs alongside its predecessor may not run alongside its successor too.
 *
 * <p>Thread-safe: attempts of different migrations may run at once, each on its caller's thread
 * (and, while two steps overlap, one more thread). No argument may be null.
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
    for (int i = 0; i < this.steps.size(); i++) {
      if (this.steps.get(i).runsAlongsideNext()
          && (i + 1 == this.steps.size() || this.steps.get(i + 1).runsAlongsideNext())) {
        throw new IllegalArgumentException(
            "step "
                + this.steps.get(i).name()
                + " runs alongside the next, which is "
                + (i + 1 == this.steps.size() ? "missing" : "running alongside its own next")
                + ": only two steps may run at once; change runsAlongsideNext() of one of them");
      }
    }
    this.rollbacks = new Rollbacks(this.steps);
  }

  /**
   * Runs one attempt to its end and reports it through {@code events}: StepStarted, StepProgress,
   * StepSucceeded or StepFailed per step, then MigrationSucceeded or AttemptFailed (after the
   * rollback). While two steps run alongside each other their events interleave, and {@code events}
   * is called from both threads. A command that is stale (a later dispatch of the migration was
   * seen) is refused without events.
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
    Attempt attempt = new Attempt(context, journal, events, earlierAttempts, new ArrayList<>());
    for (int i = 0; i < steps.size(); i++) {
      StepException cancelled = cancellationFailure(cancellation);
      if (cancelled != null) {
        return rollBack(context, journal, attempt.started(), null, cancelled, events);
      }
      PipelineStep step = steps.get(i);
      Failure failure =
          step.runsAlongsideNext()
              ? runAlongside(attempt, step, steps.get(++i))
              : runAlone(attempt, step);
      if (failure != null) {
        return rollBack(
            context, journal, attempt.started(), failure.step(), failure.cause(), events);
      }
    }
    journal.finish(AttemptStatus.SUCCEEDED);
    log.info("attempt {} of migration {} succeeded", command.attempt(), command.migrationId());
    report(journal, events);
    return AttemptResult.success();
  }

  /**
   * One attempt as it runs.
   *
   * @param started the steps started so far, in the order they started; written by the attempt's
   *     thread only
   */
  private record Attempt(
      RunningAttempt context,
      FileAttemptJournal journal,
      EventSink events,
      List<FileAttemptJournal> earlierAttempts,
      List<Step> started) {}

  /** The step that failed and its failure. */
  private record Failure(Step step, StepException cause) {}

  /** Runs {@code step} on the attempt's thread; returns its failure, or null when it succeeded. */
  private Failure runAlone(Attempt attempt, PipelineStep step) {
    long startNanos = start(attempt, step);
    return finish(attempt, step, startNanos, work(attempt, step, attempt.context()));
  }

  /**
   * Runs {@code first} on a thread of its own and {@code second} on the attempt's thread at once,
   * each with a cancellation of its own ({@link PartnerStop}) that also fires when the other fails.
   * Returns once both ended, so no thread of the attempt outlives this call.
   *
   * @return the failure that came first (the root cause; the other step was stopped because of it),
   *     or null when both succeeded
   */
  private Failure runAlongside(Attempt attempt, PipelineStep first, PipelineStep second) {
    Cancellation attemptCancellation = attempt.context().cancellation();
    PartnerStop firstStop = new PartnerStop(attemptCancellation);
    PartnerStop secondStop = new PartnerStop(attemptCancellation);
    AtomicReference<Failure> rootCause = new AtomicReference<>();
    long firstStart = start(attempt, first);
    RunningAttempt firstContext = attempt.context().withCancellation(firstStop);
    Thread firstThread =
        new Thread(
            () -> {
              Failure failed;
              try {
                failed = finish(attempt, first, firstStart, work(attempt, first, firstContext));
              } catch (Throwable e) {
                // An Error, or a journal that cannot be written, would otherwise end this thread
                // unseen while the attempt goes on: it is this step's failure.
                failed = finish(attempt, first, firstStart, unexpected(first, e, firstStop));
              }
              stopOther(rootCause, failed, second, secondStop);
            },
            "pgshuttle-"
                + first.name().name().toLowerCase(Locale.ROOT)
                + "-"
                + attempt.context().migrationId());
    firstThread.setDaemon(true);
    firstThread.start();
    log.info("{} runs alongside {}", first.name(), second.name());
    Failure secondFailed;
    try {
      long secondStart = start(attempt, second);
      // The first step may have failed already.
      StepException stopped = cancellationFailure(secondStop);
      secondFailed =
          finish(
              attempt,
              second,
              secondStart,
              stopped != null
                  ? stopped
                  : work(attempt, second, attempt.context().withCancellation(secondStop)));
    } catch (Throwable e) {
      // The agent is going down (an Error on its thread ends the attempt, as everywhere): still
      // stop the first step and wait for it, so that it does not go on unseen.
      firstStop.stop(stoppedMessage(first.name(), second.name()), true);
      joinUninterruptibly(firstThread);
      throw e;
    }
    stopOther(rootCause, secondFailed, first, firstStop);
    joinUninterruptibly(firstThread);
    return rootCause.get();
  }

  /**
   * Makes {@code failed} the root cause if it is the first failure of the two steps, and then stops
   * {@code other} with a message that points at it; nothing happens when {@code failed} is null.
   */
  private static void stopOther(
      AtomicReference<Failure> rootCause, Failure failed, PipelineStep other, PartnerStop stop) {
    if (failed != null && rootCause.compareAndSet(null, failed)) {
      stop.stop(stoppedMessage(other.name(), failed.step()), failed.cause().retryable());
    }
  }

  /** The error of {@code stopped}, stopped because {@code failed} failed alongside it. */
  static String stoppedMessage(Step stopped, Step failed) {
    return stopped
        + " stopped because "
        + failed
        + ", which ran alongside it, failed; "
        + failed
        + "'s error says what to fix";
  }

  /** Waits for {@code thread} to end, even when interrupted (the interrupt is kept). */
  private static void joinUninterruptibly(Thread thread) {
    boolean interrupted = false;
    while (true) {
      try {
        thread.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Journals and announces that {@code step} starts; returns when, on the monotonic clock. */
  private static long start(Attempt attempt, PipelineStep step) {
    attempt.journal().stepStarted(step.name());
    attempt.started().add(step.name());
    attempt.events().emit(new StepStarted(step.name()));
    return System.nanoTime();
  }

  /** Does {@code step}'s work in {@code context}; returns its failure, or null. */
  private StepException work(Attempt attempt, PipelineStep step, RunningAttempt context) {
    // PREFLIGHT checks that the target is clear, so what earlier attempts left there goes first.
    StepException failure =
        step.name() == Step.PREFLIGHT
            ? finishEarlierRollbacks(context.envelope(), attempt.earlierAttempts(), context)
            : null;
    return failure != null ? failure : execute(step, context);
  }

  /**
   * Reports how {@code step} ended: journaled as finished with StepSucceeded, or StepFailed.
   *
   * @param failure the step's failure, null when it succeeded
   * @return the failure, or null
   */
  private static Failure finish(
      Attempt attempt, PipelineStep step, long startNanos, StepException failure) {
    if (failure != null) {
      attempt.events().emit(new StepFailed(step.name(), failure.getMessage(), failure.retryable()));
      return new Failure(step.name(), failure);
    }
    attempt.journal().stepFinished(step.name());
    long millis = Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
    attempt
        .events()
        .emit(
            new StepSucceeded(
                step.name(),
                millis,
                AttemptRecords.summary(attempt.journal(), step.name()).orElse(null)));
    return null;
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
    // The steps that ran when the agent died: two where one runs alongside the next.
    List<Step> running = new ArrayList<>(startedNames);
    running.removeAll(journal.stepsFinished());
    if (running.isEmpty() && !startedNames.isEmpty()) {
      running.add(startedNames.get(startedNames.size() - 1));
    }
    Step last = running.isEmpty() ? null : running.get(running.size() - 1);
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
            : new AttemptFailure(last, restartMessage(running), true, null, null);
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

  /** The error of an attempt whose agent was killed while the {@code running} steps ran. */
  static String restartMessage(List<Step> running) {
    return running.isEmpty()
        ? "agent restarted before the first step; nothing to roll back"
        : "agent restarted during "
            + String.join(" and ", running.stream().map(Step::name).toList())
            + "; rolled back";
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
      return unexpected(step, e, context.cancellation());
    }
  }

  /** The failure that {@code e}, thrown by {@code step}, means: a cancel's if there was one. */
  private static StepException unexpected(
      PipelineStep step, Throwable e, Cancellation cancellation) {
    log.error("step {} failed unexpectedly", step.name(), e);
    StepException cancelled = cancellationFailure(cancellation);
    return cancelled != null
        ? cancelled
        : new NonRetryableStepException(step.name() + " failed unexpectedly: " + e, e);
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
