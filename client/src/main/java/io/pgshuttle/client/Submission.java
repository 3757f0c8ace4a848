package io.pgshuttle.client;

/**
 * What {@link PgShuttleClient#submit} got. Immutable.
 *
 * @param migration the migration as the coordinator recorded it; not null
 * @param created true when this call created it (202), false when the coordinator had already
 *     accepted the same request under its requestId (200)
 */
public record Submission(Migration migration, boolean created) {}
