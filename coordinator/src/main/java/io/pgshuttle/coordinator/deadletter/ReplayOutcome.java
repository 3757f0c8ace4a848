package io.pgshuttle.coordinator.deadletter;

/** What a replay of a dead letter did. */
public enum ReplayOutcome {
  /** Valid: published to the requests queue again, which decides as for any request. */
  REPLAYED,
  /** Its requestId started a migration already: nothing published. */
  ALREADY_ACCEPTED,
  /** Unreadable or invalid (or missing its password in a bulk replay): nothing published. */
  INVALID
}
