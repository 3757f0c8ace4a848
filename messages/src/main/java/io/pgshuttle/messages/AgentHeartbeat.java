package io.pgshuttle.messages;

import com.fasterxml.jackson.annotation.JsonTypeName;

/**
 * The agent is alive and working on the envelope's attempt.
 *
 * @param step the step running now (of two running at once, such as DUMP and RESTORE, the one that
 *     started last); between steps the last one started; null before the first
 */
@JsonTypeName("AgentHeartbeat")
public record AgentHeartbeat(Step step) implements Event {}
