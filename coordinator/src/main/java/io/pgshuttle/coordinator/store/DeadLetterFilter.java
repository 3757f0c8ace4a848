package io.pgshuttle.coordinator.store;

/**
 * Which dead letters to list or replay, newest first. Immutable.
 *
 * @param reason only dead letters with this reason; null for any
 * @param instanceId only dead letters of this instance; null for any
 * @param after only dead letters older than this cursor (from an earlier page); null to start
 * @param limit at most this many, 1 to {@link MigrationFilter#MAX_LIMIT}
 */
public record DeadLetterFilter(String reason, String instanceId, Long after, int limit) {
  public DeadLetterFilter {
    if (limit < 1 || limit > MigrationFilter.MAX_LIMIT) {
      throw new IllegalArgumentException(
          "limit must be 1 to " + MigrationFilter.MAX_LIMIT + ", not " + limit);
    }
  }
}
