package io.pgshuttle.messages;

/**
 * A status message published to the events exchange: about a migration, or ({@link LeftoversSwept})
 * about a sweep of leftovers.
 */
public sealed interface Event extends Payload
    permits StepStarted,
        StepProgress,
        StepSucceeded,
        StepFailed,
        AttemptFailed,
        MigrationSucceeded,
        MigrationFailed,
        MigrationCancelled,
        AgentHeartbeat,
        LeftoversSwept,
        CommandRefused {}
