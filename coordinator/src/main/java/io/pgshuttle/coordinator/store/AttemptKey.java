package io.pgshuttle.coordinator.store;

import io.pgshuttle.messages.MigrationId;

/**
 * What identifies an attempt: its migration and its number. Immutable.
 *
 * @param id the migration, not null
 */
public record AttemptKey(MigrationId id, int attempt) {}
