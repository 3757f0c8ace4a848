package io.pgshuttle.coordinator.store;

import io.pgshuttle.messages.MigrationId;

/**
 * An attempt being started: its migration, its number and its fencing token. Immutable.
 *
 * @param id the migration, not null
 */
public record NewAttempt(MigrationId id, int attempt, long fencingToken) {}
