package io.pgshuttle.messages;

import com.fasterxml.jackson.annotation.JsonTypeName;

/**
 * The agent is alive and working on the envelope's attempt.
 *
 * @param step the step running now; null between steps
 */
@JsonTypeName("AgentHeartbeat")
public record AgentHeartbeat(Step step) implements Event {}
