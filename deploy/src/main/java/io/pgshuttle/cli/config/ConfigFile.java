package io.pgshuttle.cli.config;

/**
 * A configuration file as written: any of its sections may be missing (null). One file may hold the
 * sections of both daemons and of the client commands.
 */
public record ConfigFile(
    AmqpSection amqp, CoordinatorSection coordinator, AgentSection agent, ClientSection client) {

  /** A file with no settings: everything comes from the environment and the defaults. */
  public static ConfigFile empty() {
    return new ConfigFile(null, null, null, null);
  }
}
