package io.pgshuttle.messages;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * One leftover a sweep met, listed in {@link LeftoversSwept} as removed or not removed.
 *
 * @param name for a {@link Kind#DISK}, the provider's disk id; for a {@link Kind#DATABASE}, its
 *     name on the target, or {@code pgshuttle_stage_<hex>_*} when the target could not be listed;
 *     for a {@link Kind#ROLLBACK}, {@code attempt N}; for a {@link Kind#MIGRATION}, the migration
 *     id
 * @param migrationId the migration it belongs to; null for a disk whose tags name none
 * @param detail for a removed ROLLBACK, what that attempt's rollback had left undone; for anything
 *     not removed, why, in a sentence that says what to do; else null
 */
// Every field is written, null ones too: the coordinator's HTTP API shows leftovers as they are.
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Leftover(
    @JsonProperty(required = true) Kind kind,
    @JsonProperty(required = true) String name,
    MigrationId migrationId,
    String detail) {

  public Leftover {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
  }

  /** What a leftover is. */
  public enum Kind {
    /** An auxiliary disk, detached and deleted. */
    DISK,
    /** A staging database on the target, dropped (its sessions ended first). */
    DATABASE,
    /**
     * The rollback of an attempt that could not finish (its agent restarted and had no target
     * password): finished with the target the sweep names.
     */
    ROLLBACK,
    /** A whole migration, not swept because an attempt of it still runs on the agent. */
    MIGRATION
  }
}
