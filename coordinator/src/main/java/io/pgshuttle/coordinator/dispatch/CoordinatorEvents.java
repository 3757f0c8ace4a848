package io.pgshuttle.coordinator.dispatch;

import io.pgshuttle.coordinator.store.EventLog;
import io.pgshuttle.coordinator.store.MigrationRow;
import io.pgshuttle.coordinator.store.Outbox;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.MessageCodec;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Events the coordinator emits itself (an attempt failed because its agent went silent, a migration
 * failed or was cancelled). They are stored as applied and queued in the outbox in the deciding
 * transaction; when they come back through the coordinator's own event queue, they are duplicates
 * and change nothing.
 *
 * <p>Their seq is fixed per kind at the top of the range of integers JSON readers hold exactly
 * ({@code 2^53 - 1}): far above any agent's seq, so they never collide with one and sort after
 * whatever the agent said in that attempt, and the same on every retry of the publish. Stateless
 * and thread-safe.
 */
public final class CoordinatorEvents {
  /** The seq of the MigrationCancelled the coordinator emits. */
  public static final long MIGRATION_CANCELLED_SEQ = Envelope.COORDINATOR_MIGRATION_CANCELLED_SEQ;

  /** The seq of an AttemptFailed the coordinator emits (its agent stopped heartbeating). */
  public static final long ATTEMPT_FAILED_SEQ = Envelope.COORDINATOR_ATTEMPT_FAILED_SEQ;

  /** The seq of the MigrationFailed the coordinator emits. */
  public static final long MIGRATION_FAILED_SEQ = Envelope.COORDINATOR_MIGRATION_FAILED_SEQ;

  private final EventLog eventLog;
  private final Outbox outbox;
  private final MessageCodec codec;

  @Inject
  public CoordinatorEvents(EventLog eventLog, Outbox outbox, MessageCodec codec) {
    this.eventLog = eventLog;
    this.outbox = outbox;
    this.codec = codec;
  }

  /** Stores {@code event} of the migration's {@code attempt} and queues it for publishing. */
  public void emit(
      Connection connection, MigrationRow migration, int attempt, long seq, Event event)
      throws SQLException {
    Envelope<Event> envelope =
        Envelope.of(migration.instanceId(), migration.id(), attempt, seq, event);
    String json = new String(codec.encode(envelope), StandardCharsets.UTF_8);
    if (eventLog.insert(connection, envelope, json, true)) {
      outbox.addEvent(connection, migration.id(), attempt, seq, envelope.messageId());
    }
  }
}
