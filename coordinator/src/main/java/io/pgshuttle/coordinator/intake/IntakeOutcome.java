package io.pgshuttle.coordinator.intake;

import io.pgshuttle.coordinator.status.MigrationState;
import io.pgshuttle.messages.MigrationId;

/** What became of a submitted request. Immutable values. */
public sealed interface IntakeOutcome {

  /** Recorded as a new PENDING migration; its first attempt is dispatched shortly. */
  record Accepted(MigrationId migrationId) implements IntakeOutcome {}

  /**
   * The requestId was known: nothing new, this is the migration it started.
   *
   * @param sameRequest whether the request, password aside, is the one recorded for the requestId;
   *     false when the requestId was reused for another request
   */
  record Duplicate(MigrationId migrationId, MigrationState state, boolean sameRequest)
      implements IntakeOutcome {}

  /**
   * Refused; nothing recorded.
   *
   * @param reason a sentence a person can act on; never contains the password
   */
  record Rejected(Rejection kind, String reason) implements IntakeOutcome {}

  /** Why a request was refused. */
  enum Rejection {
    /** Unreadable or invalid: the request itself must change. */
    INVALID,
    /** The instance has a live migration: send it again once that one is over. */
    INSTANCE_BUSY
  }
}
