package io.pgshuttle.messages;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonTypeName;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Tells an agent to sweep the leftovers of its instance: the disks pgshuttle made that no running
 * attempt owns, and, for each migration named here, what its attempts left on the target (an
 * unfinished rollback, staging databases). Sent by the coordinator on the control binding, like
 * {@link CancelMigration}, so that it reaches an agent that is busy with a long step. The agent
 * answers with {@link LeftoversSwept}.
 *
 * <p>A sweep is not a migration, but the envelope has one id slot, and routing keys are built from
 * it: the envelope's migrationId is {@link #envelopeId()}, the sweep id; attempt and seq are 0.
 *
 * @param sweepId names the sweep; the report carries it back
 * @param migrations the ended migrations of the instance whose leftovers are not known to be gone,
 *     each with its target; empty sweeps disks only
 */
@JsonTypeName("SweepLeftovers")
public record SweepLeftovers(
    @JsonProperty(required = true) String instanceId,
    @JsonProperty(required = true) UUID sweepId,
    List<EndedMigration> migrations)
    implements Command {

  public SweepLeftovers {
    Objects.requireNonNull(instanceId, "instanceId");
    Objects.requireNonNull(sweepId, "sweepId");
    migrations = migrations == null ? List.of() : List.copyOf(migrations);
  }

  /** The id this command's envelope carries in its migrationId slot: the sweep id. */
  public MigrationId envelopeId() {
    return new MigrationId(sweepId);
  }
}
