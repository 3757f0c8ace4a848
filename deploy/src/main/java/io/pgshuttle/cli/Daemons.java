package io.pgshuttle.cli;

import io.pgshuttle.agent.AgentConfig;
import io.pgshuttle.coordinator.CoordinatorConfig;

/**
 * Runs the long-lived processes. Each method blocks until the process is told to stop; call it from
 * the main thread. Configurations are never null and have no problems.
 */
public interface Daemons {
  /**
   * Starts the coordinator and serves until SIGTERM or SIGINT, then closes it.
   *
   * @throws Exception if it could not start (store or broker unreachable, port taken)
   */
  void runCoordinator(CoordinatorConfig config) throws Exception;

  /**
   * Starts the agent and serves until SIGTERM or SIGINT, then closes it.
   *
   * @throws Exception if it could not start (broker unreachable, state directory unusable)
   */
  void runAgent(AgentConfig config) throws Exception;
}
