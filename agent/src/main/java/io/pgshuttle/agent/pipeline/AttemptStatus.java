package io.pgshuttle.agent.pipeline;

/** Where an attempt stands, as its journal records it. */
public enum AttemptStatus {
  /** Steps are running or rolling back; found at agent start, it means the agent was killed. */
  RUNNING,
  SUCCEEDED,
  /** Failed and rolled back (as far as the rollback could go). */
  FAILED
}
