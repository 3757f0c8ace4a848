package io.pgshuttle.messages;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * A migration that has ended (FAILED or CANCELLED: no attempt follows), as {@link SweepLeftovers}
 * names it to the agent of its instance.
 *
 * @param target the migration's target, with its password (never printed; see {@link Secret}), so
 *     that the agent can finish rollbacks and drop staging databases there
 */
public record EndedMigration(
    @JsonProperty(required = true) MigrationId migrationId,
    @JsonProperty(required = true) TargetServer target) {

  public EndedMigration {
    Objects.requireNonNull(migrationId, "migrationId");
    Objects.requireNonNull(target, "target");
  }
}
