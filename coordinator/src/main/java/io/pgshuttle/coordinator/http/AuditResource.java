package io.pgshuttle.coordinator.http;

import io.pgshuttle.coordinator.audit.AuditAction;
import io.pgshuttle.coordinator.audit.AuditEntry;
import io.pgshuttle.coordinator.audit.AuditFilter;
import io.pgshuttle.coordinator.audit.AuditLog;
import io.pgshuttle.messages.MigrationId;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /v1/audit?migration=&action=&since=&limit=}: 200 {@code {"entries": [{"id", "at",
 * "who", "action", "migrationId", "instanceId", "detail"}, ...]}}, newest first; {@code migration}
 * a migration id, {@code action} an {@link AuditAction} name, {@code since} an ISO-8601 instant
 * (entries recorded at or after it), {@code limit} 1 to 1000, default 100; 400 naming the bad
 * parameter, also for a parameter it does not know. Thread-safe.
 */
public final class AuditResource implements Resource {
  static final String PATH = "/v1/audit";

  private static final Set<String> PARAMETERS = Set.of("migration", "action", "since", "limit");

  private final AuditLog auditLog;

  @Inject
  AuditResource(AuditLog auditLog) {
    this.auditLog = auditLog;
  }

  @Override
  public List<Route> routes() {
    return List.of(
        Route.read(
            "GET",
            PATH,
            request -> {
              Answer answer = list(request.parameters());
              return ApiResponse.json(answer.status(), answer.body());
            }));
  }

  /** An HTTP status and the value to write as JSON. */
  record Answer(int status, Object body) {
    static Answer error(String message) {
      return new Answer(400, Map.of("error", message));
    }
  }

  /** The answer to a GET with these query parameters (empty values count as left out). */
  Answer list(Map<String, String> parameters) {
    for (String name : parameters.keySet()) {
      if (!PARAMETERS.contains(name)) {
        return Answer.error(
            "unknown parameter '" + name + "': use migration, action, since or limit");
      }
    }
    MigrationId migration = null;
    String migrationText = parameters.get("migration");
    if (present(migrationText)) {
      try {
        migration = MigrationId.parse(migrationText);
      } catch (IllegalArgumentException e) {
        return Answer.error(
            "migration '" + migrationText + "' is not a migration id: expected a UUID");
      }
    }
    AuditAction action = null;
    String actionText = parameters.get("action");
    if (present(actionText)) {
      try {
        action = AuditAction.valueOf(actionText);
      } catch (IllegalArgumentException e) {
        return Answer.error(
            "action '"
                + actionText
                + "' is unknown: use one of "
                + Arrays.toString(AuditAction.values()));
      }
    }
    Instant since = null;
    String sinceText = parameters.get("since");
    if (present(sinceText)) {
      try {
        since = Instant.parse(sinceText);
      } catch (DateTimeParseException e) {
        return Answer.error(
            "since '"
                + sinceText
                + "' is not an ISO-8601 instant: use one such as 2024-05-01T12:00:00Z");
      }
    }
    int limit = ApiRequest.limit(parameters, AuditFilter.DEFAULT_LIMIT, AuditFilter.MAX_LIMIT);
    List<AuditEntry> entries = auditLog.list(new AuditFilter(migration, action, since, limit));
    return new Answer(200, Map.of("entries", entries));
  }

  private static boolean present(String value) {
    return value != null && !value.isEmpty();
  }
}
