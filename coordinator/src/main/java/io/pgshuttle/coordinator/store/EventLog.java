package io.pgshuttle.coordinator.store;

import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.MigrationId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Statements on the {@code events} table, which holds every event once by (migration, attempt,
 * seq). Each runs in the caller's transaction. Stateless and thread-safe.
 *
 * <p>An event gets its store-wide position when its transaction commits (see {@code
 * V4__event_positions.sql}), and positions become visible in order: a reader that sees an event
 * sees every event of a smaller position, so reading on after the last position seen misses none.
 */
public final class EventLog {

  /**
   * An event to store.
   *
   * @param envelope the decoded envelope, not null
   * @param envelopeJson the whole envelope as JSON, not null
   * @param applied whether the event changes the migration (false for a stale attempt)
   */
  public record Insert(Envelope<? extends Event> envelope, String envelopeJson, boolean applied) {}

  /**
   * Stores an event unless one with its (migration, attempt, seq) is stored already.
   *
   * @return false for a duplicate (nothing changed)
   */
  public boolean insert(
      Connection connection,
      Envelope<? extends Event> envelope,
      String envelopeJson,
      boolean applied)
      throws SQLException {
    return insertAll(connection, List.of(new Insert(envelope, envelopeJson, applied)))[0];
  }

  /**
   * Stores events in order, in one JDBC batch (one round trip), each unless one with its
   * (migration, attempt, seq) is stored already, by an earlier transaction or earlier in the list.
   *
   * @param events not empty
   * @return for each event, whether it was stored (false for a duplicate)
   */
  public boolean[] insertAll(Connection connection, List<Insert> events) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "INSERT INTO events (migration_id, attempt, seq, type, message_id, emitted_at, applied,"
                + " envelope) VALUES (?, ?, ?, ?, ?, ?, ?, ?::json)"
                + " ON CONFLICT (migration_id, attempt, seq) DO NOTHING")) {
      for (Insert event : events) {
        Envelope<? extends Event> envelope = event.envelope();
        statement.setObject(1, envelope.migrationId().value());
        statement.setInt(2, envelope.attempt());
        statement.setLong(3, envelope.seq());
        statement.setString(4, envelope.type());
        statement.setObject(5, envelope.messageId());
        statement.setObject(6, Sql.timestamp(envelope.emittedAt()));
        statement.setBoolean(7, event.applied());
        statement.setString(8, event.envelopeJson());
        statement.addBatch();
      }
      int[] counts = statement.executeBatch();
      boolean[] stored = new boolean[counts.length];
      for (int i = 0; i < counts.length; i++) {
        if (counts[i] == Statement.SUCCESS_NO_INFO) {
          // reWriteBatchedInserts hides which events were duplicates.
          throw new IllegalStateException(
              "the store's JDBC driver does not say which events it stored: remove"
                  + " reWriteBatchedInserts from the store URL");
        }
        stored[i] = counts[i] == 1;
      }
      return stored;
    }
  }

  /** The stored envelope JSON of an event. */
  public Optional<String> envelopeJson(Connection connection, MigrationId id, int attempt, long seq)
      throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT envelope::text FROM events WHERE migration_id = ? AND attempt = ? AND seq = ?")) {
      statement.setObject(1, id.value());
      statement.setInt(2, attempt);
      statement.setLong(3, seq);
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
      }
    }
  }

  /** The greatest position of a committed event; 0 when there is none. */
  public long lastPosition(Connection connection) throws SQLException {
    try (PreparedStatement statement =
            connection.prepareStatement("SELECT COALESCE(max(position), 0) FROM events");
        ResultSet rows = statement.executeQuery()) {
      rows.next();
      return rows.getLong(1);
    }
  }

  /** The keys of the first {@code limit} events after {@code position}, by position. */
  public List<EventKey> keysAfter(Connection connection, long position, int limit)
      throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT e.position, e.migration_id, m.instance_id, e.type FROM events e"
                + " JOIN migrations m ON m.migration_id = e.migration_id"
                + " WHERE e.position > ? ORDER BY e.position LIMIT ?")) {
      statement.setLong(1, position);
      statement.setInt(2, limit);
      List<EventKey> keys = new ArrayList<>();
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          keys.add(
              new EventKey(
                  rows.getLong("position"),
                  Sql.migrationId(rows, "migration_id"),
                  rows.getString("instance_id"),
                  rows.getString("type")));
        }
      }
      return keys;
    }
  }

  /** The first {@code limit} events that pass {@code filter} after {@code position}, in order. */
  public List<StoredEvent> after(
      Connection connection, EventFilter filter, long position, int limit) throws SQLException {
    StringBuilder sql =
        new StringBuilder("SELECT e.position, e.type, e.envelope::text AS envelope FROM events e");
    List<Object> parameters = new ArrayList<>();
    if (filter.instanceId() != null) {
      sql.append(" JOIN migrations m ON m.migration_id = e.migration_id AND m.instance_id = ?");
      parameters.add(filter.instanceId());
    }
    sql.append(" WHERE e.position > ?");
    parameters.add(position);
    if (filter.migrationId() != null) {
      sql.append(" AND e.migration_id = ?");
      parameters.add(filter.migrationId().value());
    }
    if (filter.type() != null) {
      sql.append(" AND e.type = ?");
      parameters.add(filter.type());
    }
    sql.append(" ORDER BY e.position LIMIT ?");
    parameters.add(limit);
    try (PreparedStatement statement = connection.prepareStatement(sql.toString())) {
      for (int i = 0; i < parameters.size(); i++) {
        statement.setObject(i + 1, parameters.get(i));
      }
      List<StoredEvent> events = new ArrayList<>();
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          events.add(
              new StoredEvent(
                  rows.getLong("position"), rows.getString("type"), rows.getString("envelope")));
        }
      }
      return events;
    }
  }
}
