package io.pgshuttle.coordinator.store;

import io.pgshuttle.coordinator.status.MigrationState;

/**
 * Which migrations to list, newest first. Immutable.
 *
 * @param state only migrations in this state; null for any
 * @param instanceId only migrations of this instance; null for any
 * @param limit at most this many, 1 to {@link #MAX_LIMIT}
 * @param after only migrations after this one in the list's order; null to start at the newest
 */
public record MigrationFilter(
    MigrationState state, String instanceId, int limit, MigrationCursor after) {
  public static final int DEFAULT_LIMIT = 50;
  public static final int MAX_LIMIT = 1000;

  public MigrationFilter {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be 1 to " + MAX_LIMIT + ", not " + limit);
    }
  }
}
