package io.pgshuttle.cli;

import io.pgshuttle.cli.config.ClientSettings;

/**
 * How commands reach the world outside the process: the broker, the coordinator's HTTP API and the
 * daemons. {@link LiveBackends} is the real one; tests hand in their own. Implementations are
 * thread-safe and never return null.
 */
public interface Backends {
  RequestPublisher requestPublisher(ClientSettings settings);

  CoordinatorApi coordinator(ClientSettings settings);

  EventFeed events(ClientSettings settings);

  Daemons daemons();

  Timings timings();

  /** Whether stdout is a terminal, where progress lines may redraw in place. */
  boolean interactiveTerminal();
}
