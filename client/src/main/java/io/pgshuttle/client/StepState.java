package io.pgshuttle.client;

/** Where one pipeline step of an attempt stands. */
public enum StepState {
  /** No event about it yet; in an attempt that is over, it never ran. */
  PENDING,
  RUNNING,
  SUCCEEDED,
  FAILED
}
