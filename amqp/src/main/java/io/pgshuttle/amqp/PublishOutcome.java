package io.pgshuttle.amqp;

/** What the broker did with a confirmed publish. */
public enum PublishOutcome {
  /** At least one queue took the message. */
  ROUTED,
  /** No queue took it: a mandatory publish came back with NO_ROUTE (it is still confirmed). */
  UNROUTABLE
}
