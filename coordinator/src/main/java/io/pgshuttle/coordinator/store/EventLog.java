package io.pgshuttle.coordinator.store;

import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.MigrationId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Statements on the {@code events} table, which holds every event once by (migration, attempt,
 * seq). Each runs in the caller's transaction. Stateless and thread-safe.
 *
 * <p>Positions become visible in order: a reader that sees an event sees every event of a smaller
 * position, so reading on after the last position seen misses none. An event stored by {@link
 * #insert} or {@link #insertAll} gets its store-wide position when its transaction commits (see
 * {@code V4__event_positions.sql}); one stored by {@link #appendNumbered} gets it as it is
 * inserted, under the same lock, held from then until the commit (see {@code
 * V8__event_positions_at_insert.sql}).
 */
public final class EventLog {
  /**
   * The transaction-level advisory lock under which positions are given, the one {@code
   * give_event_position()} takes: 'pgshutl1' in ASCII.
   */
  private static final long POSITIONS_LOCK = 8099569347333483569L;

  /**
   * What identifies an event: its migration, attempt and seq.
   *
   * @param migrationId not null
   */
  public record Key(MigrationId migrationId, int attempt, long seq) {
    /** The key of {@code envelope}. */
    public static Key of(Envelope<? extends Event> envelope) {
      return new Key(envelope.migrationId(), envelope.attempt(), envelope.seq());
    }
  }

  /**
   * An event to store.
   *
   * @param envelope the decoded envelope, not null
   * @param envelopeJson the whole envelope as JSON, not null
   * @param applied whether the event changes the migration (false for a stale attempt)
   */
  public record Insert(Envelope<? extends Event> envelope, String envelopeJson, boolean applied) {}

  /**
   * Stores an event unless one with its (migration, attempt, seq) is stored already; it gets its
   * position when the transaction commits.
   *
   * @return false for a duplicate (nothing changed)
   */
  public boolean insert(
      Connection connection,
      Envelope<? extends Event> envelope,
      String envelopeJson,
      boolean applied)
      throws SQLException {
    return Sql.update(
            connection,
            "INSERT INTO events (migration_id, attempt, seq, type, message_id, emitted_at, applied,"
                + " envelope) VALUES (?, ?, ?, ?, ?, ?, ?, ?::json)"
                + " ON CONFLICT (migration_id, attempt, seq) DO NOTHING",
            envelope.migrationId().value(),
            envelope.attempt(),
            envelope.seq(),
            envelope.type(),
            envelope.messageId(),
            Sql.timestamp(envelope.emittedAt()),
            applied,
            envelopeJson)
        == 1;
  }

  /**
   * Which of {@code keys} are stored already, in one round trip. Only sound for deciding what to
   * store when the caller holds the row locks of the keys' migrations: every writer of a
   * migration's events holds its lock, so none can store one of them until this transaction ends.
   */
  public Set<Key> stored(Connection connection, Collection<Key> keys) throws SQLException {
    Set<Key> stored = new HashSet<>();
    if (keys.isEmpty()) {
      return stored;
    }
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT e.migration_id, e.attempt, e.seq FROM events e"
                + " JOIN unnest(?::uuid[], ?::int[], ?::bigint[]) AS k (migration_id, attempt, seq)"
                + " ON e.migration_id = k.migration_id AND e.attempt = k.attempt"
                + " AND e.seq = k.seq")) {
      setKeys(connection, statement, List.copyOf(keys));
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          stored.add(
              new Key(
                  Sql.migrationId(rows, "migration_id"),
                  rows.getInt("attempt"),
                  rows.getLong("seq")));
        }
      }
    }
    return stored;
  }

  /**
   * Stores events that are not stored yet (see {@link #stored}), in order, in one statement, each
   * with its store-wide position given now. It takes the positions' lock first, held until the
   * transaction ends, so it must come after every other lock the transaction takes, right before
   * its commit: then positions commit in the order they were given, as {@link #insert}'s do, and no
   * transaction holding the lock ever waits for one that needs it. A key stored already fails the
   * statement (and so the transaction).
   *
   * @param events may be empty (nothing is done)
   */
  public void appendNumbered(Connection connection, List<Insert> events) throws SQLException {
    if (events.isEmpty()) {
      return;
    }
    int n = events.size();
    String[] types = new String[n];
    UUID[] messageIds = new UUID[n];
    String[] emittedAt = new String[n];
    Boolean[] applied = new Boolean[n];
    String[] envelopes = new String[n];
    for (int i = 0; i < n; i++) {
      Envelope<? extends Event> envelope = events.get(i).envelope();
      types[i] = envelope.type();
      messageIds[i] = envelope.messageId();
      emittedAt[i] = envelope.emittedAt().toString();
      applied[i] = events.get(i).applied();
      envelopes[i] = events.get(i).envelopeJson();
    }
    try (PreparedStatement lock =
        connection.prepareStatement(
            // Wakes the event streams, as the trigger does for the events it numbers.
            "SELECT pg_advisory_xact_lock(?), pg_notify('pgshuttle_events', '')")) {
      lock.setLong(1, POSITIONS_LOCK);
      lock.executeQuery().close();
    }
    // A function scan yields its rows in order, and nextval() runs as each row is inserted.
    try (PreparedStatement statement =
        connection.prepareStatement(
            "INSERT INTO events (migration_id, attempt, seq, type, message_id, emitted_at, applied,"
                + " envelope, position)"
                + " SELECT migration_id, attempt, seq, type, message_id, emitted_at::timestamptz,"
                + " applied, envelope::json, nextval('event_positions')"
                + " FROM unnest(?::uuid[], ?::int[], ?::bigint[], ?::text[], ?::uuid[], ?::text[],"
                + " ?::boolean[], ?::text[])"
                + " AS e (migration_id, attempt, seq, type, message_id, emitted_at, applied,"
                + " envelope)")) {
      setKeys(
          connection, statement, events.stream().map(event -> Key.of(event.envelope())).toList());
      statement.setArray(4, connection.createArrayOf("text", types));
      statement.setArray(5, connection.createArrayOf("uuid", messageIds));
      statement.setArray(6, connection.createArrayOf("text", emittedAt));
      statement.setArray(7, connection.createArrayOf("bool", applied));
      statement.setArray(8, connection.createArrayOf("text", envelopes));
      int inserted = statement.executeUpdate();
      if (inserted != n) {
        throw new SQLException("stored " + inserted + " of " + n + " events");
      }
    }
  }

  /** Sets the first three parameters to the arrays of the keys' migrations, attempts and seqs. */
  private static void setKeys(Connection connection, PreparedStatement statement, List<Key> keys)
      throws SQLException {
    Sql.setKeys(
        connection,
        statement,
        keys.stream().map(key -> new AttemptKey(key.migrationId(), key.attempt())).toList());
    statement.setArray(
        3, connection.createArrayOf("int8", keys.stream().map(Key::seq).toArray(Long[]::new)));
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
