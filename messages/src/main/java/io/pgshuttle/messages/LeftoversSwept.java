package io.pgshuttle.messages;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonTypeName;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * An agent's report of one sweep: what it removed and what it could not. Answers a {@link
 * SweepLeftovers}, or reports a sweep of disks the agent made on its own (periodically, with a
 * sweep id of its own; then {@code cleanMigrations} is empty). Like the command, the envelope
 * carries the sweep id in its migrationId slot ({@link #envelopeId()}), so it is routed as {@code
 * <instance>.<sweepId>.LeftoversSwept}; attempt is 0.
 *
 * @param removed disks and databases removed, rollbacks finished
 * @param notRemoved what is still there, each with the reason
 * @param cleanMigrations the migrations of the command of which nothing is left now
 */
@JsonTypeName("LeftoversSwept")
public record LeftoversSwept(
    @JsonProperty(required = true) UUID sweepId,
    List<Leftover> removed,
    List<Leftover> notRemoved,
    List<MigrationId> cleanMigrations)
    implements Event {

  public LeftoversSwept {
    Objects.requireNonNull(sweepId, "sweepId");
    removed = removed == null ? List.of() : List.copyOf(removed);
    notRemoved = notRemoved == null ? List.of() : List.copyOf(notRemoved);
    cleanMigrations = cleanMigrations == null ? List.of() : List.copyOf(cleanMigrations);
  }

  /** The id the report's envelope carries in its migrationId slot: the sweep id. */
  public MigrationId envelopeId() {
    return new MigrationId(sweepId);
  }

  /** Whether the sweep met nothing at all: no report needs to be sent for it. */
  public boolean isEmpty() {
    return removed.isEmpty() && notRemoved.isEmpty() && cleanMigrations.isEmpty();
  }
}
