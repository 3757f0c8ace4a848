package io.pgshuttle.coordinator.store;

import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.MigrationId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Statements on the {@code events} table, which holds every event once by (migration, attempt,
 * seq). Each runs in the caller's transaction. Stateless and thread-safe.
 */
public final class EventLog {

  /**
   * Stores an event unless one with its (migration, attempt, seq) is stored already.
   *
   * @param envelopeJson the whole envelope as JSON
   * @param applied whether the event changes the migration (false for a stale attempt)
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
}
