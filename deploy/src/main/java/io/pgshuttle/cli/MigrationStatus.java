package io.pgshuttle.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * A migration as the coordinator's HTTP API shows it. Every field may be null where the coordinator
 * has not set it (e.g. {@code finishedAt} of a running migration); lists are never null. Unknown
 * fields are ignored, so newer coordinators can add some.
 *
 * @param state PENDING, RUNNING, SUCCEEDED, FAILED or CANCELLED
 * @param nextAttemptAt when the next attempt is due after a retryable failure
 * @param verification VERIFY's summary: text, or an object from newer coordinators
 * @param cancelRequestedAt when a cancel was requested; null when none was, or from coordinators
 *     that predate cancel
 * @param cancelReason the reason the cancel gave, or null
 * @param steps the current attempt's steps, in pipeline order
 */
public record MigrationStatus(
    String migrationId,
    String requestId,
    String instanceId,
    String state,
    Integer attempt,
    Integer maxAttempts,
    Instant createdAt,
    Instant startedAt,
    Instant finishedAt,
    Instant nextAttemptAt,
    String error,
    JsonNode verification,
    Instant cancelRequestedAt,
    String cancelReason,
    List<StepStatus> steps,
    List<AttemptStatus> attempts) {

  private static final Set<String> TERMINAL_STATES = Set.of("SUCCEEDED", "FAILED", "CANCELLED");

  public MigrationStatus {
    steps = steps == null ? List.of() : List.copyOf(steps);
    attempts = attempts == null ? List.of() : List.copyOf(attempts);
  }

  /** Whether the migration has ended and will not change any more. */
  public boolean terminal() {
    return TERMINAL_STATES.contains(state);
  }

  /** Whether a cancel was requested: a live migration with one is stopping. */
  public boolean cancelRequested() {
    return cancelRequestedAt != null;
  }

  /** The exit code of a command that followed this migration to its end. */
  public int exitCode() {
    return "SUCCEEDED".equals(state) ? ExitCodes.OK : ExitCodes.MIGRATION_FAILED;
  }

  /** One step of the current attempt. */
  public record StepStatus(
      String name,
      String state,
      Instant startedAt,
      Instant finishedAt,
      Progress progress,
      String summary,
      String error) {}

  /** How far a running step has come; every field may be null. */
  public record Progress(
      Double percent,
      Long bytesDone,
      Long bytesTotal,
      Integer tablesDone,
      Integer tablesTotal,
      String detail,
      Long etaSeconds) {}

  /**
   * One attempt of the migration.
   *
   * @param retryable for a FAILED attempt, whether its failure may be retried; else null
   */
  public record AttemptStatus(
      Integer attempt,
      String state,
      Instant startedAt,
      Instant finishedAt,
      String error,
      Boolean retryable) {}
}
