package io.pgshuttle.messages;

/** The steps of the agent's pipeline, in the order they run. */
public enum Step {
  PREFLIGHT,
  PROVISION_DISK,
  QUIESCE_SOURCE,
  DUMP,
  RESTORE,
  VERIFY,
  CUTOVER,
  CLEANUP
}
