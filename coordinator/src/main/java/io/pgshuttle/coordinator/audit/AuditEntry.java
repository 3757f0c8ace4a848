package io.pgshuttle.coordinator.audit;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.pgshuttle.messages.MigrationId;
import java.time.Instant;

/**
 * A recorded audit entry, as {@code GET /v1/audit} shows it (nulls included). Immutable.
 *
 * @param id increases with each entry
 * @param at when it was recorded
 * @param who who did it
 * @param action what, an {@link AuditAction} name (kept as text: an older coordinator may read
 *     entries of a newer one)
 * @param migrationId null when it concerns no migration
 * @param instanceId null when it concerns no instance
 * @param detail a JSON object
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record AuditEntry(
    long id,
    Instant at,
    String who,
    String action,
    MigrationId migrationId,
    String instanceId,
    JsonNode detail) {}
