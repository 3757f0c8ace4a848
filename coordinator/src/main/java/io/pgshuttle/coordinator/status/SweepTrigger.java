package io.pgshuttle.coordinator.status;

/** What started a sweep of leftovers. */
public enum SweepTrigger {
  /** {@code POST /v1/gc}, such as {@code pgshuttle gc}. */
  REQUEST,
  /** The coordinator's own schedule, every {@code coordinator.sweepInterval}. */
  PERIODIC,
  /** An agent's own sweep of its disks, recorded when its report arrived. */
  AGENT
}
