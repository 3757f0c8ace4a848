package io.pgshuttle.client;

import io.pgshuttle.messages.MigrationId;
import java.time.Instant;
import java.util.List;

/**
 * What the coordinator knows of one migration, as {@code GET /v1/migrations/{id}} shows it.
 * Immutable; the lists are unmodifiable and never null.
 *
 * @param attempt the current attempt, 0 before the first dispatch
 * @param startedAt when the first attempt was dispatched; null before
 * @param finishedAt when it reached a final state; null while live
 * @param nextAttemptAt when the next attempt is due after a retryable failure; else null
 * @param lastHeartbeatAt the last sign of life of the current attempt's agent; null before any
 * @param error why it failed or was cancelled, or the last failed attempt's error while retrying;
 *     else null
 * @param verification VERIFY's summary once SUCCEEDED; else null
 * @param cancelRequestedAt when a cancel was first requested; null when none was
 * @param cancelReason the reason a cancel gave; null when none
 * @param steps the current attempt's steps, all eight, in pipeline order; more than one may be
 *     RUNNING (DUMP and RESTORE run together), each with its own progress
 * @param attempts every attempt, oldest first
 */
public record Migration(
    MigrationId migrationId,
    String requestId,
    String instanceId,
    MigrationState state,
    int attempt,
    int maxAttempts,
    Instant createdAt,
    Instant startedAt,
    Instant finishedAt,
    Instant updatedAt,
    Instant nextAttemptAt,
    Instant lastHeartbeatAt,
    String error,
    String verification,
    Instant cancelRequestedAt,
    String cancelReason,
    List<StepStatus> steps,
    List<Attempt> attempts) {

  public Migration {
    steps = steps == null ? List.of() : List.copyOf(steps);
    attempts = attempts == null ? List.of() : List.copyOf(attempts);
  }
}
