package io.pgshuttle.coordinator.audit;

/** What an audit entry records. Stored and shown by name. */
public enum AuditAction {
  /**
   * The coordinator published a command (StartMigration, CancelMigration or SweepLeftovers) to an
   * agent; the detail names its type, attempt, message id and what the broker did with it.
   */
  COMMAND_ISSUED,
  /** Someone asked to cancel a migration; the detail holds the reason and the outcome. */
  CANCEL_REQUESTED,
  /** A sweep of leftovers (gc) was started; the detail holds its id and trigger. */
  GC_REQUESTED,
  /**
   * An agent refused a command (unsigned, tampered, expired, for another instance, seen before);
   * who is the agent, the detail holds the command's type, attempt, message id and the reason.
   */
  COMMAND_REFUSED,
  /** Someone replayed a dead letter; the detail holds its id and the outcome. */
  DEAD_LETTER_REPLAYED,
  /** Someone dropped a dead letter; the detail holds its id. */
  DEAD_LETTER_DROPPED
}
