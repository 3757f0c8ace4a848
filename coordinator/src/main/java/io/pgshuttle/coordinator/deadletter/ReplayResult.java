package io.pgshuttle.coordinator.deadletter;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.pgshuttle.messages.MigrationId;
import java.util.UUID;

/**
 * The result of replaying one dead letter; its JSON is {@code {"id", "outcome", "message",
 * "migrationId"}}. Immutable.
 *
 * @param message a sentence for a person: what happened, or what to fix; never a password
 * @param migrationId the migration the request starts (or started); null when it cannot be read
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ReplayResult(
    UUID id, ReplayOutcome outcome, String message, MigrationId migrationId) {}
