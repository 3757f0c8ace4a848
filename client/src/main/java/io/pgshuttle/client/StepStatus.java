package io.pgshuttle.client;

import io.pgshuttle.messages.Step;
import java.time.Instant;

/**
 * One pipeline step of a migration's current attempt. Immutable. Every field but {@code name} and
 * {@code state} is null until known.
 *
 * @param progress the last progress the step reported, or null
 * @param summary the agent's line about the finished step, or null
 * @param error why the step failed, or null
 */
public record StepStatus(
    Step name,
    StepState state,
    Instant startedAt,
    Instant finishedAt,
    Progress progress,
    String summary,
    String error) {}
