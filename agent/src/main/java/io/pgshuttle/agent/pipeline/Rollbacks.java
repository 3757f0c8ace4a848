package io.pgshuttle.agent.pipeline;

import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.StartMigration;
import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.TargetServer;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rolls attempts back: runs the compensations of the steps that started, in reverse, and finishes
 * the rollback of an attempt that could not finish it (its agent restarted without the target
 * password, which is never written to disk). Shared by the {@link AttemptRunner}, which finishes
 * the rollbacks of earlier attempts before the next one, and the sweeper, which finishes those of
 * migrations that have ended.
 *
 * <p>Stateless and thread-safe. No argument may be null.
 */
public final class Rollbacks {
  private static final Logger log = LoggerFactory.getLogger(Rollbacks.class);

  /**
   * What one rollback could not undo.
   *
   * @param errors one per compensation that failed, {@code STEP: message}
   * @param uncompensated the steps whose compensation failed, in pipeline order
   */
  record Outcome(List<String> errors, List<Step> uncompensated) {}

  private final List<PipelineStep> steps;

  /**
   * @param steps the pipeline's steps, in any order
   */
  @Inject
  public Rollbacks(Set<PipelineStep> steps) {
    this((Collection<PipelineStep>) steps);
  }

  Rollbacks(Collection<PipelineStep> steps) {
    this.steps = steps.stream().sorted(Comparator.comparing(PipelineStep::name)).toList();
  }

  /**
   * Runs the compensations of the {@code started} steps, last first, each even if one fails. Steps
   * start in pipeline order, also where one runs alongside the next (the runner starts it first),
   * so reverse pipeline order is reverse start order: RESTORE's compensation runs before DUMP's.
   */
  Outcome compensate(AttemptContext context, Collection<Step> started) {
    List<String> errors = new ArrayList<>();
    List<Step> uncompensated = new ArrayList<>();
    for (int i = steps.size() - 1; i >= 0; i--) {
      PipelineStep step = steps.get(i);
      if (!started.contains(step.name())) {
        continue;
      }
      try {
        step.compensate(context);
        continue;
      } catch (StepException e) {
        log.warn("rolling back {} failed: {}", step.name(), e.getMessage());
        errors.add(step.name() + ": " + e.getMessage());
      } catch (RuntimeException | LinkageError e) {
        log.error("rolling back {} failed unexpectedly", step.name(), e);
        errors.add(step.name() + ": " + e);
      }
      uncompensated.add(0, step.name());
    }
    return new Outcome(errors, uncompensated);
  }

  /**
   * As {@link #finish(FileAttemptJournal, TargetServer, Cancellation)}, for work that is not
   * cancelled: the sweeper's.
   */
  public List<String> finish(FileAttemptJournal journal, TargetServer target) {
    return finish(journal, target, new NeverCancelled());
  }

  /**
   * Finishes the rollback of a finished attempt whose compensations did not all finish, with {@code
   * target} (and its password) in place of the journaled target, and records in the journal what is
   * still left. Runs again only the compensations that failed: the others may have undone their
   * work long ago, and running them again could undo a later change (the source's connection
   * limits, for one). Nothing happens for an attempt whose rollback is complete.
   *
   * @param target the migration's target with its password
   * @return what still could not be undone; empty when the rollback is complete
   */
  public List<String> finish(
      FileAttemptJournal journal, TargetServer target, Cancellation cancellation) {
    AttemptFailure failure = journal.failure().orElse(null);
    if (failure == null || failure.rollbackErrors().isEmpty()) {
      return List.of();
    }
    Envelope<StartMigration> journaled = journal.command();
    Envelope<StartMigration> withTarget =
        new Envelope<>(
            journaled.messageId(),
            journaled.instanceId(),
            journaled.migrationId(),
            journaled.attempt(),
            journaled.seq(),
            journaled.emittedAt(),
            journaled.payload().withTarget(target));
    List<Step> pending =
        failure.uncompensated() == null ? journal.stepsStarted() : failure.uncompensated();
    Outcome outcome =
        compensate(new RunningAttempt(withTarget, journal, progress -> {}, cancellation), pending);
    journal.recordFailure(failure.withRollback(outcome));
    if (outcome.errors().isEmpty()) {
      log.info(
          "finished the rollback of attempt {} of migration {}",
          journaled.attempt(),
          journaled.migrationId());
    }
    return outcome.errors();
  }
}
