package io.pgshuttle.messages;

/** A message from the coordinator to one agent. */
public sealed interface Command extends Payload
    permits StartMigration, CancelMigration, SweepLeftovers {}
