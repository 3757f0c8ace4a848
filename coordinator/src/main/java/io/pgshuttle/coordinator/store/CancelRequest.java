package io.pgshuttle.coordinator.store;

import java.time.Instant;

/**
 * A cancel asked for on a migration. Immutable.
 *
 * @param requestedAt when the first cancel request was recorded, by the store's clock
 * @param reason why, as the canceller gave it; null when none was given
 */
public record CancelRequest(Instant requestedAt, String reason) {
  /** What stands for a missing reason in messages. */
  public static final String NO_REASON = "no reason given";

  /** The reason, or {@value #NO_REASON}: for messages a person reads, and for the agent. */
  public String reasonText() {
    return reason == null ? NO_REASON : reason;
  }

  /**
   * The error of a migration this cancel ended.
   *
   * @param circumstance what the cancel met, such as "before its first attempt"
   */
  public String error(String circumstance) {
    return "cancelled on request: " + reasonText() + " (" + circumstance + ")";
  }
}
