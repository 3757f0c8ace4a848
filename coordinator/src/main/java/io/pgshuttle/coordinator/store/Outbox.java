package io.pgshuttle.coordinator.store;

import io.pgshuttle.messages.MigrationId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Statements on the {@code outbox} table: messages decided in a transaction, published after it.
 * Each runs in the caller's transaction. Stateless and thread-safe.
 */
public final class Outbox {

  /** What became of a published entry. */
  public enum Outcome {
    ROUTED,
    UNROUTABLE,
    /** Not published: the attempt was over before its command went out. */
    SKIPPED
  }

  /** Queues the StartMigration of an attempt (at most one per attempt). */
  public void addCommands(Connection connection, List<NewAttempt> started) throws SQLException {
    Sql.updateAll(
        connection,
        "INSERT INTO outbox (message_id, kind, migration_id, attempt) VALUES (?, 'START_MIGRATION',"
            + " ?, ?)",
        started.stream()
            .map(a -> List.<Object>of(UUID.randomUUID(), a.id().value(), a.attempt()))
            .toList());
  }

  /**
   * Queues the CancelMigration of an attempt (at most one per attempt), built from the migration's
   * cancel request when published.
   */
  public void addCancel(Connection connection, MigrationId id, int attempt) throws SQLException {
    Sql.update(
        connection,
        "INSERT INTO outbox (message_id, kind, migration_id, attempt) VALUES (?, 'CANCEL_MIGRATION',"
            + " ?, ?)",
        UUID.randomUUID(),
        id.value(),
        attempt);
  }

  /** Queues a stored event for publishing under its own message id. */
  public void addEvent(Connection connection, MigrationId id, int attempt, long seq, UUID messageId)
      throws SQLException {
    Sql.update(
        connection,
        "INSERT INTO outbox (message_id, kind, migration_id, attempt, event_seq)"
            + " VALUES (?, 'EVENT', ?, ?, ?)",
        messageId,
        id.value(),
        attempt,
        seq);
  }

  /**
   * Locks up to {@code limit} of the oldest unpublished entries that no other transaction holds,
   * oldest first.
   */
  public List<OutboxEntry> lockReady(Connection connection, int limit) throws SQLException {
    List<OutboxEntry> ready = new ArrayList<>();
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT id, message_id, kind, migration_id, attempt, event_seq, created_at"
                + " FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT ?"
                + " FOR UPDATE SKIP LOCKED")) {
      statement.setInt(1, limit);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          ready.add(
              new OutboxEntry(
                  rows.getLong("id"),
                  rows.getObject("message_id", UUID.class),
                  OutboxEntry.Kind.valueOf(rows.getString("kind")),
                  Sql.migrationId(rows, "migration_id"),
                  rows.getInt("attempt"),
                  Sql.nullableLong(rows, "event_seq"),
                  Sql.instant(rows, "created_at")));
        }
      }
    }
    return ready;
  }

  /**
   * For each migration of {@code batch}, the id of its oldest unpublished entry that is not in
   * {@code batch} and older than the batch's newest; migrations with none are absent. Such entries
   * are in other transactions' batches (locked or just committed as published: not seen as
   * unpublished then), so this reads only the few older than the batch.
   */
  public Map<MigrationId, Long> oldestUnpublishedOutside(
      Connection connection, List<OutboxEntry> batch) throws SQLException {
    Long[] ids = batch.stream().map(OutboxEntry::id).toArray(Long[]::new);
    long newest = batch.stream().mapToLong(OutboxEntry::id).max().orElse(0);
    Map<MigrationId, Long> oldest = new HashMap<>();
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT migration_id, min(id) AS oldest FROM outbox"
                + " WHERE published_at IS NULL AND id < ? AND migration_id = ANY (?)"
                + " AND id <> ALL (?) GROUP BY migration_id")) {
      statement.setLong(1, newest);
      statement.setArray(
          2, Sql.ids(connection, batch.stream().map(OutboxEntry::migrationId).distinct().toList()));
      statement.setArray(3, connection.createArrayOf("bigint", ids));
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          oldest.put(Sql.migrationId(rows, "migration_id"), rows.getLong("oldest"));
        }
      }
    }
    return oldest;
  }

  /** Marks entries published with their outcomes, in one statement. */
  public void markDone(Connection connection, Map<Long, Outcome> outcomes) throws SQLException {
    if (outcomes.isEmpty()) {
      return;
    }
    Long[] ids = new Long[outcomes.size()];
    String[] names = new String[outcomes.size()];
    int i = 0;
    for (Map.Entry<Long, Outcome> done : outcomes.entrySet()) {
      ids[i] = done.getKey();
      names[i] = done.getValue().name();
      i++;
    }
    try (PreparedStatement statement =
        connection.prepareStatement(
            "UPDATE outbox SET published_at = now(), outcome = done.outcome"
                + " FROM unnest(?::bigint[], ?::text[]) AS done (id, outcome)"
                + " WHERE outbox.id = done.id")) {
      statement.setArray(1, connection.createArrayOf("bigint", ids));
      statement.setArray(2, connection.createArrayOf("text", names));
      statement.executeUpdate();
    }
  }
}
