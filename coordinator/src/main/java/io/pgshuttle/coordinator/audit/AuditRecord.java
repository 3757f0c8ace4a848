package io.pgshuttle.coordinator.audit;

import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.MigrationId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One thing to write to the audit log. Immutable.
 *
 * @param actor who: an HTTP caller's name, {@code "queue"} for a message from a control plane, or
 *     {@link AuditLog#COORDINATOR}; not null
 * @param action what; not null
 * @param migrationId the migration it concerns; null for none
 * @param instanceId the instance it concerns; null for none
 * @param detail the particulars, written as a JSON object (values must be JSON-writable); not null
 */
public record AuditRecord(
    String actor,
    AuditAction action,
    MigrationId migrationId,
    String instanceId,
    Map<String, Object> detail) {
  public AuditRecord {
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(detail, "detail");
  }

  /**
   * The coordinator published {@code command} to its instance's agent.
   *
   * @param migrationId the migration it concerns; null for one that concerns none (a sweep)
   * @param outcome what the broker did with it (ROUTED, UNROUTABLE, ...)
   * @param more further particulars, such as a sweep's id
   */
  public static AuditRecord commandIssued(
      Envelope<?> command, MigrationId migrationId, String outcome, Map<String, Object> more) {
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("type", command.type());
    detail.put("attempt", command.attempt());
    detail.put("messageId", command.messageId().toString());
    detail.put("outcome", outcome);
    detail.putAll(more);
    return new AuditRecord(
        AuditLog.COORDINATOR,
        AuditAction.COMMAND_ISSUED,
        migrationId,
        command.instanceId(),
        detail);
  }
}
