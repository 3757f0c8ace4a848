package io.pgshuttle.coordinator.events;

/** What folding one event did. */
public enum FoldResult {
  /** The event changed the status view. */
  APPLIED,
  /** Stored, but its attempt was over or not the current one: nothing changed. */
  STALE,
  /** Its (migration, attempt, seq) was stored already: nothing changed. */
  DUPLICATE,
  /** No such migration in this store: not stored. */
  UNKNOWN_MIGRATION,
  /** The event names another instance than the migration's: not stored. */
  WRONG_INSTANCE
}
