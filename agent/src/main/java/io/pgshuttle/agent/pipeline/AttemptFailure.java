package io.pgshuttle.agent.pipeline;

import io.pgshuttle.messages.Step;
import java.util.List;

/**
 * Why an attempt failed, as its journal records it.
 *
 * @param step the step that failed; null when the attempt failed between steps
 * @param rollbackErrors compensations that could not finish; empty before the rollback ran
 * @param uncompensated the steps whose compensation could not finish, in pipeline order: what a
 *     later rollback must run again. Null where no rollback recorded it (before the rollback ran,
 *     and in journals written before it was recorded), which means every started step
 */
public record AttemptFailure(
    Step step,
    String error,
    boolean retryable,
    List<String> rollbackErrors,
    List<Step> uncompensated) {
  public AttemptFailure {
    rollbackErrors = rollbackErrors == null ? List.of() : List.copyOf(rollbackErrors);
    uncompensated = uncompensated == null ? null : List.copyOf(uncompensated);
  }

  /** This failure with what a rollback left: its errors and the steps they were in. */
  AttemptFailure withRollback(Rollbacks.Outcome rollback) {
    return new AttemptFailure(step, error, retryable, rollback.errors(), rollback.uncompensated());
  }
}
