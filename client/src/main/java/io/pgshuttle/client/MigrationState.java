package io.pgshuttle.client;

/** Where a migration stands. PENDING and RUNNING are live; the others are final. */
public enum MigrationState {
  /** Accepted and recorded; no attempt dispatched yet. */
  PENDING,
  /** An attempt is dispatched or running, or the next one waits for its backoff. */
  RUNNING,
  /** The target holds the verified databases. */
  SUCCEEDED,
  /** No attempt left, a failure that is never retried, or no agent for the instance. */
  FAILED,
  /** Stopped on request; no attempt follows. */
  CANCELLED;

  /** Whether the migration may still change. */
  public boolean isLive() {
    return this == PENDING || this == RUNNING;
  }
}
