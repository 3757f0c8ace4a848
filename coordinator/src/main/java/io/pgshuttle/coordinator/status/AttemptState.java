package io.pgshuttle.coordinator.status;

/** Where one attempt of a migration stands. */
public enum AttemptState {
  /** Committed by the coordinator; its StartMigration is published or about to be. */
  DISPATCHED,
  /** The agent reported on it. */
  RUNNING,
  SUCCEEDED,
  FAILED;

  /** Whether the attempt may still change. */
  public boolean isLive() {
    return this == DISPATCHED || this == RUNNING;
  }
}
