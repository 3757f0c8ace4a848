package io.pgshuttle.messages;

/** A message from the coordinator to one agent. */
public sealed interface Command extends Payload
    permits StartMigration, CancelMigration, SweepLeftovers {

  /** The instance whose agent the command is for; an agent refuses one for another instance. */
  String instanceId();
}
