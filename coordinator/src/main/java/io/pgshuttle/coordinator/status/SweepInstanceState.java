package io.pgshuttle.coordinator.status;

/** Where one instance's part of a sweep stands. */
public enum SweepInstanceState {
  /** Recorded; the broker has not confirmed the SweepLeftovers yet. */
  SENDING,
  /** The agent's control queue took the SweepLeftovers; its report has not come yet. */
  SENT,
  /** No control queue took it: no agent runs for the instance. */
  NO_AGENT,
  /** The broker failed; the next sweep tries again. */
  NOT_SENT,
  /** The agent's report is in. */
  REPORTED;

  /** Whether nothing more is to come for this instance in this sweep. */
  public boolean isFinal() {
    return this == NO_AGENT || this == NOT_SENT || this == REPORTED;
  }
}
