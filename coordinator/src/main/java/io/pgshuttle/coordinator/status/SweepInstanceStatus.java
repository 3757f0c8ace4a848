package io.pgshuttle.coordinator.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.pgshuttle.messages.Leftover;
import io.pgshuttle.messages.MigrationId;
import java.time.Instant;
import java.util.List;

/**
 * One instance's part of a sweep: what was asked of its agent and what it reported. Immutable; the
 * lists are unmodifiable.
 *
 * @param migrations the ended migrations the SweepLeftovers named (empty: disks only)
 * @param error why it was not sent ({@link SweepInstanceState#NO_AGENT}, {@link
 *     SweepInstanceState#NOT_SENT}); else null
 * @param reportedAt when the report came; null before
 * @param removed what the agent removed; null before its report
 * @param notRemoved what it could not remove, each with the reason; null before its report
 * @param cleanMigrations the migrations of which nothing is left; null before its report
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record SweepInstanceStatus(
    String instanceId,
    SweepInstanceState state,
    List<MigrationId> migrations,
    String error,
    Instant reportedAt,
    List<Leftover> removed,
    List<Leftover> notRemoved,
    List<MigrationId> cleanMigrations) {

  public SweepInstanceStatus {
    migrations = List.copyOf(migrations);
    removed = removed == null ? null : List.copyOf(removed);
    notRemoved = notRemoved == null ? null : List.copyOf(notRemoved);
    cleanMigrations = cleanMigrations == null ? null : List.copyOf(cleanMigrations);
  }
}
