package io.pgshuttle.coordinator.store;

import io.pgshuttle.messages.MigrationId;
import java.time.Instant;
import java.util.UUID;

/**
 * A message waiting in the outbox. Immutable.
 *
 * @param messageId the id the published message carries, the same on every try
 * @param eventSeq for an {@link Kind#EVENT}, the stored event's seq; null for a command
 */
public record OutboxEntry(
    long id,
    UUID messageId,
    Kind kind,
    MigrationId migrationId,
    int attempt,
    Long eventSeq,
    Instant createdAt) {

  /** What the entry publishes. */
  public enum Kind {
    /** The StartMigration of an attempt, built from the store when published. */
    START_MIGRATION,
    /**
     * The CancelMigration of an attempt, built from the migration's cancel request when published.
     */
    CANCEL_MIGRATION,
    /** An event the coordinator emitted, stored in the events table. */
    EVENT
  }
}
