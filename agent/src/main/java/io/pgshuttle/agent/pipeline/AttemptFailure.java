package io.pgshuttle.agent.pipeline;

import io.pgshuttle.messages.Step;
import java.util.List;

/**
 * Why an attempt failed, as its journal records it.
 *
 * @param step the step that failed; null when the attempt failed between steps
 * @param rollbackErrors compensations that could not finish; empty before the rollback ran
 */
public record AttemptFailure(
    Step step, String error, boolean retryable, List<String> rollbackErrors) {
  public AttemptFailure {
    rollbackErrors = rollbackErrors == null ? List.of() : List.copyOf(rollbackErrors);
  }
}
