package io.pgshuttle.coordinator.dispatch;

import io.pgshuttle.coordinator.status.MigrationState;

/** What became of a cancel request. Immutable values. */
public sealed interface CancelOutcome {

  /**
   * Taken: the migration is CANCELLED now, or its running attempt is being stopped (it ends
   * CANCELLED when its agent reports the rollback done). Also the answer to a repeated cancel,
   * which changes nothing.
   *
   * @param state the migration's state after the request: CANCELLED, or RUNNING while the agent
   *     stops
   */
  record Accepted(MigrationState state) implements CancelOutcome {}

  /** The migration ended SUCCEEDED or FAILED before the request: nothing to cancel. */
  record AlreadyEnded(MigrationState state) implements CancelOutcome {}

  /** No such migration in the store. */
  record Unknown() implements CancelOutcome {}
}
