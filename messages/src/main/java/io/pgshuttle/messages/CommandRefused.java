package io.pgshuttle.messages;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonTypeName;
import java.util.Objects;
import java.util.UUID;

/**
 * An agent's report that it refused a command without acting on it: unsigned, signed by a key it
 * does not trust, tampered with, expired, addressed to another instance, or seen before. The
 * envelope carries the refusal's own id in its migrationId slot ({@link #envelopeId()}), attempt 0,
 * so that it is routed as {@code <instance>.<refusalId>.CommandRefused} and never mixes with a
 * migration's events; the refused command's own header fields are here, as the command claimed them
 * (unverified).
 *
 * @param refusalId names this refusal
 * @param commandMessageId the refused command's message id
 * @param commandType the refused command's type, such as StartMigration
 * @param commandMigrationId the migration (or sweep) the refused command named
 * @param commandAttempt the attempt the refused command named
 * @param reason why it was refused
 * @param detail what was wrong, for a person; never holds the command's body
 */
@JsonTypeName("CommandRefused")
public record CommandRefused(
    @JsonProperty(required = true) UUID refusalId,
    @JsonProperty(required = true) UUID commandMessageId,
    @JsonProperty(required = true) String commandType,
    @JsonProperty(required = true) MigrationId commandMigrationId,
    int commandAttempt,
    @JsonProperty(required = true) Reason reason,
    String detail)
    implements Event {

  /** Why a command was refused. */
  public enum Reason {
    UNSIGNED,
    UNKNOWN_KEY,
    BAD_SIGNATURE,
    EXPIRED,
    OTHER_INSTANCE,
    REPLAYED
  }

  public CommandRefused {
    Objects.requireNonNull(refusalId, "refusalId");
    Objects.requireNonNull(commandMessageId, "commandMessageId");
    Objects.requireNonNull(commandType, "commandType");
    Objects.requireNonNull(commandMigrationId, "commandMigrationId");
    Objects.requireNonNull(reason, "reason");
  }

  /** What was refused and why, for a log line: type, message id, migration, attempt, reason. */
  public String describe() {
    return commandType
        + " "
        + commandMessageId
        + " (migration "
        + commandMigrationId
        + ", attempt "
        + commandAttempt
        + "): "
        + reason
        + ": "
        + detail;
  }

  /** The id the report's envelope carries in its migrationId slot: the refusal id. */
  public MigrationId envelopeId() {
    return new MigrationId(refusalId);
  }
}
