package io.pgshuttle.agent.steps;

import io.pgshuttle.agent.AgentConfig;
import io.pgshuttle.agent.pipeline.AttemptContext;
import io.pgshuttle.agent.pipeline.NonRetryableStepException;
import io.pgshuttle.agent.postgres.PgEndpoint;

/** The source and target servers of an attempt. Stateless. */
final class Endpoints {
  private Endpoints() {}

  /** The source, as the agent's configuration names it. */
  static PgEndpoint source(AgentConfig config) throws NonRetryableStepException {
    try {
      return PgEndpoint.source(config.sourceUrl(), config.sourcePassword());
    } catch (IllegalArgumentException e) {
      throw new NonRetryableStepException(e.getMessage(), e);
    }
  }

  /** The target of the attempt's command; without password during recovery. */
  static PgEndpoint target(AttemptContext context) {
    return PgEndpoint.target(context.command().target());
  }
}
