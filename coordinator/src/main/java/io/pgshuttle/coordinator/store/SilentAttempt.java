package io.pgshuttle.coordinator.store;

/**
 * A migration whose current attempt's agent has been silent too long. Immutable.
 *
 * @param silentSeconds since the command was published or the agent was last heard from
 */
public record SilentAttempt(MigrationRow migration, long silentSeconds) {}
