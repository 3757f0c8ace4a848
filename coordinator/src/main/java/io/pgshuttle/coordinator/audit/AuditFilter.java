package io.pgshuttle.coordinator.audit;

import io.pgshuttle.messages.MigrationId;
import java.time.Instant;

/**
 * Which audit entries to list, newest first. Immutable.
 *
 * @param migrationId only entries of this migration; null for any
 * @param action only entries of this action; null for any
 * @param since only entries recorded at or after this; null for any
 * @param limit at most this many, 1 to {@link #MAX_LIMIT}
 */
public record AuditFilter(MigrationId migrationId, AuditAction action, Instant since, int limit) {
  public static final int DEFAULT_LIMIT = 100;
  public static final int MAX_LIMIT = 1000;

  public AuditFilter {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be 1 to " + MAX_LIMIT + ", not " + limit);
    }
  }
}
