package io.pgshuttle.client;

import io.pgshuttle.messages.MigrationId;

/**
 * The result of replaying one dead letter. Immutable.
 *
 * @param message what happened, for a person
 * @param migrationId the migration the request is; null when it is still invalid
 */
public record ReplayResult(
    String id, ReplayOutcome outcome, String message, MigrationId migrationId) {}
