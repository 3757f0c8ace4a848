package io.pgshuttle.client;

import java.time.Instant;

/**
 * One attempt of a migration. Immutable.
 *
 * @param startedAt when the coordinator dispatched it
 * @param finishedAt when it succeeded or failed; null while live
 * @param error why it failed; null otherwise
 * @param retryable for a failed attempt, whether its failure allowed another attempt; else null
 */
public record Attempt(
    int attempt,
    AttemptState state,
    Instant startedAt,
    Instant finishedAt,
    String error,
    Boolean retryable) {}
