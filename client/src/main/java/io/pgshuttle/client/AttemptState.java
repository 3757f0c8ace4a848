package io.pgshuttle.client;

/** Where one attempt of a migration stands. */
public enum AttemptState {
  /** Committed by the coordinator; its command is published or about to be. */
  DISPATCHED,
  /** The agent reported on it. */
  RUNNING,
  SUCCEEDED,
  FAILED
}
