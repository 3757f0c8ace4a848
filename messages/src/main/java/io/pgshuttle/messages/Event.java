package io.pgshuttle.messages;

/** A status message about a migration, published to the events exchange. */
public sealed interface Event extends Payload
    permits StepStarted,
        StepProgress,
        StepSucceeded,
        StepFailed,
        AttemptFailed,
        MigrationSucceeded,
        MigrationFailed,
        MigrationCancelled,
        AgentHeartbeat {}
