package io.pgshuttle.messages;

import com.fasterxml.jackson.annotation.JsonTypeName;

/**
 * The coordinator ended a migration CANCELLED on request: the attempt that was running has rolled
 * back (or none was running), and no further attempt follows. Published by the coordinator only,
 * with seq {@link Envelope#COORDINATOR_MIGRATION_CANCELLED_SEQ}; the envelope's attempt is the last
 * one dispatched, 0 when none was.
 *
 * @param reason why, as the canceller gave it; null when none was given
 */
@JsonTypeName("MigrationCancelled")
public record MigrationCancelled(String reason) implements Event {}
