package io.pgshuttle.coordinator.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.pgshuttle.messages.MigrationId;
import java.time.Instant;
import java.util.List;

/**
 * What the coordinator knows of one migration: the status view that HTTP and the CLI show.
 * Immutable; the lists are unmodifiable.
 *
 * <p>JSON contract (stable: fields are added, never renamed or removed; every field is always
 * present, null when unknown; timestamps are ISO-8601 UTC, e.g. {@code 2025-01-31T12:00:00.123Z}):
 *
 * <pre>
 * {
 *   "migrationId":     "uuid",
 *   "requestId":       "the requester's idempotency key",
 *   "instanceId":      "the VM whose agent runs it",
 *   "state":           "PENDING | RUNNING | SUCCEEDED | FAILED | CANCELLED",
 *   "attempt":         current attempt, 0 before the first dispatch,
 *   "maxAttempts":     attempts allowed,
 *   "createdAt":       accepted,
 *   "startedAt":       first attempt dispatched, or null,
 *   "finishedAt":      reached a final state, or null,
 *   "updatedAt":       last change,
 *   "nextAttemptAt":   when the next attempt is due (after a retryable failure), or null,
 *   "lastHeartbeatAt": last sign of life of the current attempt's agent, or null,
 *   "error":           why it failed or was cancelled, or the last failed attempt's error while
 *                      retrying; else null,
 *   "verification":    VERIFY's summary once SUCCEEDED, else null,
 *   "cancelRequestedAt": when a cancel was first requested, or null; a RUNNING migration with
 *                      one is stopping and ends CANCELLED (or SUCCEEDED if the cancel came too late),
 *   "cancelReason":    the reason the cancel gave, or null,
 *   "steps": [         the current attempt's steps, all eight, in pipeline order; two may be
 *                      RUNNING at once (DUMP and RESTORE), each with its own progress
 *     {"name": "PREFLIGHT | PROVISION_DISK | QUIESCE_SOURCE | DUMP | RESTORE | VERIFY | CUTOVER | CLEANUP",
 *      "state": "PENDING | RUNNING | SUCCEEDED | FAILED",
 *      "startedAt", "finishedAt",
 *      "progress": {"percent", "bytesDone", "bytesTotal", "tablesDone", "tablesTotal", "detail"} or null,
 *      "summary", "error"}
 *   ],
 *   "attempts": [      every attempt, oldest first
 *     {"attempt", "state": "DISPATCHED | RUNNING | SUCCEEDED | FAILED",
 *      "startedAt", "finishedAt", "error", "retryable"}
 *   ]
 * }
 * </pre>
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record MigrationStatus(
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
    List<AttemptStatus> attempts) {

  public MigrationStatus {
    steps = List.copyOf(steps);
    attempts = List.copyOf(attempts);
  }
}
