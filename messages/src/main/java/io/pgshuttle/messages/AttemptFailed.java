package io.pgshuttle.messages;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonTypeName;

/**
 * An attempt failed and its rollback has run. The coordinator starts the next attempt if the
 * failure is retryable and attempts are left.
 *
 * @param step the step that failed; null when the attempt failed outside a step
 * @param rollbackErrors compensations that could not finish (their leftovers are cleaned by the
 *     next attempt or the sweeper); empty when the rollback was complete
 */
@JsonTypeName("AttemptFailed")
public record AttemptFailed(
    Step step,
    @JsonProperty(required = true) String error,
    @JsonProperty(required = true) boolean retryable,
    java.util.List<String> rollbackErrors)
    implements Event {

  public AttemptFailed {
    rollbackErrors =
        rollbackErrors == null ? java.util.List.of() : java.util.List.copyOf(rollbackErrors);
  }
}
