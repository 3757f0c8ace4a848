package io.pgshuttle.agent.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgshuttle.messages.AttemptFailed;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.MigrationOptions;
import io.pgshuttle.messages.MigrationSucceeded;
import io.pgshuttle.messages.Secret;
import io.pgshuttle.messages.StartMigration;
import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.StepFailed;
import io.pgshuttle.messages.StepProgress;
import io.pgshuttle.messages.StepStarted;
import io.pgshuttle.messages.StepSucceeded;
import io.pgshuttle.messages.TargetServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The runner with scripted steps: order, events, rollback, cancels, restarts. Journals on disk. */
class AttemptRunnerIT {
  @TempDir Path stateDir;

  /**
   * What the scripted steps did, in order, such as {@code execute DUMP}, {@code compensate DUMP}.
   */
  private final List<String> log = new CopyOnWriteArrayList<>();

  private final Map<Step, StepScript> executes = new EnumMap<>(Step.class);
  private final Map<Step, StepScript> compensations = new EnumMap<>(Step.class);
  private final List<Event> events = new CopyOnWriteArrayList<>();

  /** The steps that say they run alongside the next. */
  private final Set<Step> alongside = EnumSet.noneOf(Step.class);

  @FunctionalInterface
  private interface StepScript {
    void run(AttemptContext context) throws StepException;
  }

  /** Stands for the agent's process dying. */
  private static final class AgentKilled extends Error {}

  private final class ScriptedStep implements PipelineStep {
    private final Step step;

    ScriptedStep(Step step) {
      this.step = step;
    }

    @Override
    public Step name() {
      return step;
    }

    @Override
    public boolean runsAlongsideNext() {
      return alongside.contains(step);
    }

    @Override
    public void execute(AttemptContext context) throws StepException {
      log.add("execute " + step);
      AttemptRecords.recordSummary(context.journal(), step, step + " done");
      StepScript script = executes.get(step);
      if (script != null) {
        script.run(context);
      }
    }

    @Override
    public void compensate(AttemptContext context) throws StepException {
      log.add("compensate " + step);
      StepScript script = compensations.get(step);
      if (script != null) {
        script.run(context);
      }
    }
  }

  private AttemptRunner runner() {
    List<PipelineStep> steps = new ArrayList<>();
    for (Step step : Step.values()) {
      steps.add(new ScriptedStep(step));
    }
    return new AttemptRunner(
        Duration.ofHours(1), new AttemptJournalStore(stateDir), new FencingLedger(stateDir), steps);
  }

  private static final MigrationId MIGRATION = MigrationId.forRequest("runner-test");

  private static Envelope<StartMigration> command(int attempt, long fencingToken) {
    return Envelope.of(
        "vm-1",
        MIGRATION,
        attempt,
        0,
        new StartMigration(
            "vm-1",
            List.of(),
            new TargetServer("db.example", 5432, "admin", Secret.of("pw"), null),
            MigrationOptions.defaults(),
            fencingToken));
  }

  private AttemptResult run(int attempt) {
    return runner().run(command(attempt, attempt), events::add, new TestCancellation());
  }

  private List<String> compensated() {
    return log.stream().filter(entry -> entry.startsWith("compensate")).toList();
  }

  private <E extends Event> List<E> eventsOf(Class<E> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }

  private FileAttemptJournal journal(int attempt) {
    return new AttemptJournalStore(stateDir).find(MIGRATION, attempt).orElseThrow();
  }

  @Test
  void successRunsEveryStepInOrderAndReportsSummaries() {
    executes.put(
        Step.VERIFY, context -> AttemptRecords.recordVerification(context.journal(), "all equal"));
    executes.put(
        Step.CUTOVER,
        context -> AttemptRecords.recordDatabases(context.journal(), List.of("a", "b")));

    AttemptResult result = run(1);

    assertThat(result).isEqualTo(AttemptResult.success());
    assertThat(log)
        .containsExactly(
            "execute PREFLIGHT",
            "execute PROVISION_DISK",
            "execute QUIESCE_SOURCE",
            "execute DUMP",
            "execute RESTORE",
            "execute VERIFY",
            "execute CUTOVER",
            "execute CLEANUP");
    List<Event> expected = new ArrayList<>();
    for (Step step : Step.values()) {
      expected.add(new StepStarted(step));
      expected.add(new StepSucceeded(step, 0, step + " done"));
    }
    expected.add(new MigrationSucceeded(List.of("a", "b"), "all equal"));
    assertThat(events)
        .usingRecursiveFieldByFieldElementComparatorIgnoringFields("durationMillis")
        .isEqualTo(expected);
    FileAttemptJournal journal = journal(1);
    assertThat(journal.status()).isEqualTo(AttemptStatus.SUCCEEDED);
    assertThat(journal.stepsFinished()).containsExactly(Step.values());
    assertThat(journal.reported()).isTrue();
    assertThat(journal.command().payload().target().password()).isNull();
  }

  @Test
  void anAttemptOfAMigrationThatAlreadySucceededHereReportsThatSuccessWithoutRunning() {
    executes.put(
        Step.VERIFY, context -> AttemptRecords.recordVerification(context.journal(), "all equal"));
    executes.put(
        Step.CUTOVER,
        context -> AttemptRecords.recordDatabases(context.journal(), List.of("a", "b")));
    assertThat(run(1)).isEqualTo(AttemptResult.success());
    log.clear();
    events.clear();

    AttemptResult second = run(2);

    assertThat(second).isEqualTo(AttemptResult.success());
    assertThat(log).as("no step runs again").isEmpty();
    assertThat(events).containsExactly(new MigrationSucceeded(List.of("a", "b"), "all equal"));
    assertThat(journal(2).status()).isEqualTo(AttemptStatus.SUCCEEDED);
    assertThat(journal(2).reported()).isTrue();
  }

  @Test
  void failureCompensatesEveryStartedStepInReverseAndCollectsRollbackErrors() {
    executes.put(
        Step.RESTORE,
        context -> {
          throw new RetryableStepException("target connection lost");
        });
    compensations.put(
        Step.DUMP,
        context -> {
          throw new NonRetryableStepException("dump could not be removed");
        });
    compensations.put(
        Step.PROVISION_DISK,
        context -> {
          throw new IllegalStateException("provider broke");
        });

    AttemptResult result = run(1);

    assertThat(result).isEqualTo(AttemptResult.failure("target connection lost", true));
    assertThat(compensated())
        .containsExactly(
            "compensate RESTORE",
            "compensate DUMP",
            "compensate QUIESCE_SOURCE",
            "compensate PROVISION_DISK",
            "compensate PREFLIGHT");
    assertThat(eventsOf(StepFailed.class))
        .containsExactly(new StepFailed(Step.RESTORE, "target connection lost", true));
    AttemptFailed failed = eventsOf(AttemptFailed.class).get(0);
    assertThat(failed.step()).isEqualTo(Step.RESTORE);
    assertThat(failed.retryable()).isTrue();
    assertThat(failed.rollbackErrors())
        .containsExactly(
            "DUMP: dump could not be removed",
            "PROVISION_DISK: java.lang.IllegalStateException: provider broke");
    assertThat(events.get(events.size() - 1)).isEqualTo(failed);
    assertThat(eventsOf(StepStarted.class)).hasSize(5);
    assertThat(journal(1).status()).isEqualTo(AttemptStatus.FAILED);
    assertThat(journal(1).failure().orElseThrow().rollbackErrors()).hasSize(2);
  }

  @Test
  void unexpectedExceptionFailsTheAttemptForGood() {
    executes.put(
        Step.DUMP,
        context -> {
          throw new IllegalArgumentException("a bug");
        });

    AttemptResult result = run(1);

    assertThat(result.retryable()).isFalse();
    assertThat(result.error())
        .isEqualTo("DUMP failed unexpectedly: java.lang.IllegalArgumentException: a bug");
    assertThat(compensated()).hasSize(4);
  }

  @Test
  void aClassPathDefectInAStepStillRollsBackAndReports() {
    executes.put(
        Step.RESTORE,
        context -> {
          throw new NoSuchMethodError("ImmutableMap$Builder.buildKeepingLast()");
        });

    AttemptResult result = run(1);

    assertThat(result.retryable()).isFalse();
    assertThat(result.error())
        .startsWith("RESTORE failed unexpectedly: java.lang.NoSuchMethodError");
    assertThat(compensated()).hasSize(5);
  }

  @Test
  void cancelDuringAStepReportsTheCancelNotTheStepsError() {
    TestCancellation cancellation = new TestCancellation();
    executes.put(
        Step.DUMP,
        context -> {
          cancellation.cancel();
          throw new RetryableStepException("pg_dump was killed");
        });

    AttemptResult result = runner().run(command(1, 1), events::add, cancellation);

    assertThat(result).isEqualTo(AttemptResult.failure("migration cancelled by the test", false));
    assertThat(eventsOf(StepFailed.class))
        .containsExactly(new StepFailed(Step.DUMP, "migration cancelled by the test", false));
    assertThat(compensated()).hasSize(4);
  }

  @Test
  void cancelBetweenStepsStartsNoFurtherStep() {
    TestCancellation cancellation = new TestCancellation();
    executes.put(Step.PROVISION_DISK, context -> cancellation.cancel());

    AttemptResult result = runner().run(command(1, 1), events::add, cancellation);

    assertThat(result.succeeded()).isFalse();
    assertThat(log)
        .containsExactly(
            "execute PREFLIGHT",
            "execute PROVISION_DISK",
            "compensate PROVISION_DISK",
            "compensate PREFLIGHT");
    AttemptFailed failed = eventsOf(AttemptFailed.class).get(0);
    assertThat(failed.step()).isNull();
    assertThat(failed.retryable()).isFalse();
    assertThat(eventsOf(StepFailed.class)).isEmpty();
  }

  @Test
  void progressIsRateLimitedPerStep() {
    executes.put(
        Step.DUMP,
        context -> {
          for (int i = 0; i < 100; i++) {
            context
                .progress()
                .report(new StepProgress(Step.DUMP, (double) i, null, null, null, null, null));
          }
        });

    run(1);

    assertThat(eventsOf(StepProgress.class))
        .containsExactly(new StepProgress(Step.DUMP, 0.0, null, null, null, null, null));
  }

  @Test
  void anAttemptRunsOnceAndStaleCommandsAreRefusedWithoutEvents() {
    run(2);
    int eventsOfAttemptTwo = events.size();

    assertThatThrownBy(() -> run(2)).isInstanceOf(IllegalStateException.class);
    AttemptResult stale = run(1);

    assertThat(stale.succeeded()).isFalse();
    assertThat(stale.retryable()).isFalse();
    assertThat(stale.error()).startsWith("stale command");
    assertThat(events).hasSize(eventsOfAttemptTwo);
    assertThat(new AttemptJournalStore(stateDir).find(MIGRATION, 1)).isEmpty();
  }

  @Test
  void recoveryRollsBackWhatAKilledAgentStartedWithoutThePassword() {
    executes.put(
        Step.DUMP,
        context -> {
          throw new AgentKilled();
        });
    assertThatThrownBy(() -> run(1)).isInstanceOf(AgentKilled.class);
    log.clear();
    executes.clear();
    List<String> passwordsSeen = new ArrayList<>();
    compensations.put(
        Step.QUIESCE_SOURCE,
        context -> passwordsSeen.add(String.valueOf(context.command().target().password())));
    List<Envelope<StartMigration>> recovered = new ArrayList<>();

    runner()
        .recover(
            command -> {
              recovered.add(command);
              return events::add;
            });

    assertThat(recovered).singleElement().extracting(Envelope::attempt).isEqualTo(1);
    assertThat(passwordsSeen).containsExactly("null");
    assertThat(compensated())
        .containsExactly(
            "compensate DUMP",
            "compensate QUIESCE_SOURCE",
            "compensate PROVISION_DISK",
            "compensate PREFLIGHT");
    assertThat(eventsOf(AttemptFailed.class))
        .containsExactly(
            new AttemptFailed(
                Step.DUMP, "agent restarted during DUMP; rolled back", true, List.of()));
    assertThat(journal(1).status()).isEqualTo(AttemptStatus.FAILED);

    events.clear();
    runner().recover(command -> events::add);
    assertThat(events).isEmpty();
  }

  @Test
  void theNextAttemptRunsAgainOnlyTheCompensationsThatFailedWithItsPassword() {
    executes.put(
        Step.VERIFY,
        context -> {
          throw new AgentKilled();
        });
    assertThatThrownBy(() -> run(1)).isInstanceOf(AgentKilled.class);
    executes.clear();
    compensations.put(
        Step.RESTORE,
        context -> {
          if (context.command().target().password() == null) {
            throw new NonRetryableStepException("left staging database s on the target");
          }
        });
    runner().recover(command -> events::add);
    assertThat(journal(1).failure().orElseThrow().uncompensated()).containsExactly(Step.RESTORE);
    log.clear();

    AttemptResult second = run(2);

    assertThat(second.succeeded()).isTrue();
    assertThat(log.subList(0, 2)).containsExactly("compensate RESTORE", "execute PREFLIGHT");
    assertThat(compensated())
        .as("QUIESCE_SOURCE's compensation already opened the source; not again")
        .containsExactly("compensate RESTORE");
    AttemptFailure finished = journal(1).failure().orElseThrow();
    assertThat(finished.rollbackErrors()).isEmpty();
    assertThat(finished.uncompensated()).isEmpty();
  }

  @Test
  void recoveryAfterAKillDuringTheRollbackKeepsTheOriginalFailure() {
    executes.put(
        Step.VERIFY,
        context -> {
          throw new NonRetryableStepException("table t differs");
        });
    compensations.put(
        Step.RESTORE,
        context -> {
          throw new AgentKilled();
        });
    assertThatThrownBy(() -> run(1)).isInstanceOf(AgentKilled.class);
    compensations.clear();
    events.clear();

    runner().recover(command -> events::add);

    assertThat(eventsOf(AttemptFailed.class))
        .containsExactly(
            new AttemptFailed(
                Step.VERIFY,
                "table t differs (the agent restarted during the rollback)",
                false,
                List.of()));
  }

  @Test
  void recoverySendsAFinalEventTheKilledAgentDidNotSend() {
    executes.put(
        Step.CUTOVER, context -> AttemptRecords.recordDatabases(context.journal(), List.of("a")));
    EventSink dyingOnSuccess =
        event -> {
          if (event instanceof MigrationSucceeded) {
            throw new AgentKilled();
          }
        };
    assertThatThrownBy(() -> runner().run(command(1, 1), dyingOnSuccess, new TestCancellation()))
        .isInstanceOf(AgentKilled.class);
    log.clear();

    runner().recover(command -> events::add);

    assertThat(events).containsExactly(new MigrationSucceeded(List.of("a"), null));
    assertThat(compensated()).isEmpty();
    assertThat(journal(1).reported()).isTrue();
  }

  /**
   * What DUMP and RESTORE hand each other through {@link AttemptContext#shared} while both run:
   * each test's steps wait on these, so a runner that ran them one after the other would never end
   * (the test's timeout then fails it).
   */
  private static final class Overlap {
    final SynchronousQueue<String> tables = new SynchronousQueue<>();
    final Map<Step, CountDownLatch> running =
        Map.of(Step.DUMP, new CountDownLatch(1), Step.RESTORE, new CountDownLatch(1));
  }

  private static Overlap overlap(AttemptContext context) {
    return context.shared(Overlap.class, Overlap::new);
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** DUMP runs alongside RESTORE; {@code step} does {@code then} once {@code other} runs. */
  private void onceRunning(Step step, Step other, StepScript then) {
    alongside.add(Step.DUMP);
    executes.put(
        step,
        context -> {
          await(overlap(context).running.get(other));
          then.run(context);
        });
  }

  /**
   * {@code step} stands for a step whose tool runs until it is killed: it says it runs, blocks
   * until its cancellation fires its hook, then ends as a step does after that, by {@code
   * throwIfCancelled}; at the end it logs {@code ended STEP}.
   */
  private void runsUntilStopped(Step step) {
    executes.put(
        step,
        context -> {
          CountDownLatch stopped = new CountDownLatch(1);
          try (Cancellation.Registration hook =
              context.cancellation().onCancel(stopped::countDown)) {
            overlap(context).running.get(step).countDown();
            await(stopped);
            log.add("stopped " + step);
            context.cancellation().throwIfCancelled();
            throw new IllegalStateException("the stop hook ran but throwIfCancelled did not throw");
          } finally {
            log.add("ended " + step);
          }
        });
  }

  private static final List<String> COMPENSATIONS_FROM_RESTORE =
      List.of(
          "compensate RESTORE",
          "compensate DUMP",
          "compensate QUIESCE_SOURCE",
          "compensate PROVISION_DISK",
          "compensate PREFLIGHT");

  /** The events from DUMP's start on: the three steps before always succeed here. */
  private List<Event> eventsFromDump() {
    return events.subList(events.indexOf(new StepStarted(Step.DUMP)), events.size());
  }

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void aStepThatRunsAlongsideTheNextHandsItsOutputOverWhileBothRun() {
    alongside.add(Step.DUMP);
    executes.put(
        Step.DUMP,
        context -> {
          try {
            overlap(context).tables.put("public.orders");
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
          log.add("DUMP handed over public.orders");
        });
    executes.put(
        Step.RESTORE,
        context -> {
          try {
            log.add("RESTORE took " + overlap(context).tables.take());
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
        });

    AttemptResult result = run(1);

    assertThat(result).isEqualTo(AttemptResult.success());
    assertThat(log).contains("DUMP handed over public.orders", "RESTORE took public.orders");
    List<Event> fromDump = eventsFromDump();
    assertThat(fromDump.subList(0, 2))
        .containsExactly(new StepStarted(Step.DUMP), new StepStarted(Step.RESTORE));
    assertThat(fromDump.subList(2, 4))
        .as("each ends with its own StepSucceeded, in whichever order they end")
        .usingRecursiveFieldByFieldElementComparatorIgnoringFields("durationMillis")
        .containsExactlyInAnyOrder(
            new StepSucceeded(Step.DUMP, 0, "DUMP done"),
            new StepSucceeded(Step.RESTORE, 0, "RESTORE done"));
    assertThat(fromDump.get(4))
        .as("VERIFY starts after both succeeded")
        .isEqualTo(new StepStarted(Step.VERIFY));
    assertThat(eventsOf(StepStarted.class)).hasSize(Step.values().length);
    FileAttemptJournal journal = journal(1);
    assertThat(journal.status()).isEqualTo(AttemptStatus.SUCCEEDED);
    assertThat(journal.stepsFinished()).containsExactlyInAnyOrder(Step.values());
    assertThat(AttemptRecords.summary(journal, Step.DUMP)).contains("DUMP done");
    assertThat(AttemptRecords.summary(journal, Step.RESTORE)).contains("RESTORE done");
  }

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void whenTheFirstOfTwoOverlappingStepsFailsTheSecondIsStoppedAndBothAreRolledBack() {
    assertAFailureStopsTheOtherStep(
        Step.DUMP, Step.RESTORE, new RetryableStepException("no space left on the dump disk"));
  }

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void whenTheSecondOfTwoOverlappingStepsFailsTheFirstIsStoppedAndBothAreRolledBack() {
    assertAFailureStopsTheOtherStep(
        Step.RESTORE,
        Step.DUMP,
        new NonRetryableStepException("role app is missing on the target"));
  }

  private void assertAFailureStopsTheOtherStep(Step failing, Step other, StepException failure) {
    runsUntilStopped(other);
    onceRunning(
        failing,
        other,
        context -> {
          throw failure;
        });

    AttemptResult result = run(1);

    assertThat(result).isEqualTo(AttemptResult.failure(failure.getMessage(), failure.retryable()));
    assertThat(log).contains("stopped " + other);
    assertThat(eventsFromDump())
        .containsExactly(
            new StepStarted(Step.DUMP),
            new StepStarted(Step.RESTORE),
            new StepFailed(failing, failure.getMessage(), failure.retryable()),
            new StepFailed(
                other, AttemptRunner.stoppedMessage(other, failing), failure.retryable()),
            new AttemptFailed(failing, failure.getMessage(), failure.retryable(), List.of()));
    assertThat(compensated()).isEqualTo(COMPENSATIONS_FROM_RESTORE);
    FileAttemptJournal journal = journal(1);
    assertThat(journal.stepsStarted()).endsWith(Step.DUMP, Step.RESTORE);
    assertThat(journal.stepsFinished()).doesNotContain(Step.DUMP, Step.RESTORE);
    assertThat(journal.failure().orElseThrow().step()).isEqualTo(failing);
    assertThat(journal.status()).isEqualTo(AttemptStatus.FAILED);
  }

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void aCancelWhileTwoStepsRunStopsBothAndIsReportedAsACancel() {
    TestCancellation cancellation = new TestCancellation();
    runsUntilStopped(Step.DUMP);
    onceRunning(
        Step.RESTORE,
        Step.DUMP,
        context -> {
          cancellation.cancel();
          context.cancellation().throwIfCancelled();
        });

    AttemptResult result = runner().run(command(1, 1), events::add, cancellation);

    assertThat(result).isEqualTo(AttemptResult.failure("migration cancelled by the test", false));
    assertThat(log).contains("stopped DUMP");
    assertThat(eventsOf(StepFailed.class))
        .containsExactlyInAnyOrder(
            new StepFailed(Step.DUMP, "migration cancelled by the test", false),
            new StepFailed(Step.RESTORE, "migration cancelled by the test", false));
    AttemptFailed failed = eventsOf(AttemptFailed.class).get(0);
    assertThat(failed.error()).isEqualTo("migration cancelled by the test");
    assertThat(failed.retryable()).isFalse();
    assertThat(failed.step()).as("the one that ended first").isIn(Step.DUMP, Step.RESTORE);
    assertThat(events.get(events.size() - 1)).isEqualTo(failed);
    assertThat(events).doesNotContain(new StepStarted(Step.VERIFY));
    assertThat(compensated()).isEqualTo(COMPENSATIONS_FROM_RESTORE);
  }

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void anErrorOnTheThreadOfTheFirstStepIsItsFailure() {
    runsUntilStopped(Step.RESTORE);
    onceRunning(
        Step.DUMP,
        Step.RESTORE,
        context -> {
          throw new AssertionError("a bug");
        });

    AttemptResult result = run(1);

    String error = "DUMP failed unexpectedly: java.lang.AssertionError: a bug";
    assertThat(result).isEqualTo(AttemptResult.failure(error, false));
    assertThat(eventsOf(StepFailed.class))
        .containsExactly(
            new StepFailed(Step.DUMP, error, false),
            new StepFailed(
                Step.RESTORE,
                "RESTORE stopped because DUMP, which ran alongside it, failed;"
                    + " DUMP's error says what to fix",
                false));
    assertThat(compensated()).isEqualTo(COMPENSATIONS_FROM_RESTORE);
    assertThat(journal(1).status()).isEqualTo(AttemptStatus.FAILED);
  }

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void anAgentKilledWhileTwoStepsRanRollsBothBackWhenItStartsAgain() {
    runsUntilStopped(Step.DUMP);
    onceRunning(
        Step.RESTORE,
        Step.DUMP,
        context -> {
          throw new AgentKilled();
        });

    assertThatThrownBy(() -> run(1)).isInstanceOf(AgentKilled.class);
    assertThat(log).as("the attempt's thread waited for DUMP's to end").contains("ended DUMP");
    assertThat(journal(1).status()).isEqualTo(AttemptStatus.RUNNING);
    assertThat(journal(1).stepsStarted()).endsWith(Step.DUMP, Step.RESTORE);
    log.clear();
    executes.clear();
    events.clear();

    runner().recover(command -> events::add);

    assertThat(compensated()).isEqualTo(COMPENSATIONS_FROM_RESTORE);
    assertThat(events)
        .containsExactly(
            new AttemptFailed(
                Step.RESTORE,
                "agent restarted during DUMP and RESTORE; rolled back",
                true,
                List.of()));
    assertThat(journal(1).status()).isEqualTo(AttemptStatus.FAILED);
  }

  @Test
  void refusesStepsThatRunAlongsideMoreThanOneOther() {
    alongside.add(Step.DUMP);
    alongside.add(Step.RESTORE);
    assertThatThrownBy(this::runner)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("only two steps may run at once");
    alongside.clear();
    alongside.add(Step.CLEANUP);
    assertThatThrownBy(this::runner)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("CLEANUP runs alongside the next, which is missing");
  }

  @Test
  void refusesAnIncompleteSetOfSteps() {
    assertThatThrownBy(
            () ->
                new AttemptRunner(
                    Duration.ofSeconds(1),
                    new AttemptJournalStore(stateDir),
                    new FencingLedger(stateDir),
                    List.of(new ScriptedStep(Step.PREFLIGHT))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("CLEANUP");
  }
}
