package io.pgshuttle.coordinator.store;

import io.pgshuttle.coordinator.status.AttemptState;
import io.pgshuttle.messages.MigrationId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Statements on the {@code attempts} table. Each runs in the caller's transaction. Stateless and
 * thread-safe.
 */
public final class Attempts {

  /** Records DISPATCHED attempts. */
  public void insertAll(Connection connection, List<NewAttempt> started) throws SQLException {
    Sql.updateAll(
        connection,
        "INSERT INTO attempts (migration_id, attempt, state, fencing_token)"
            + " VALUES (?, ?, 'DISPATCHED', ?)",
        started.stream()
            .map(a -> List.<Object>of(a.id().value(), a.attempt(), a.fencingToken()))
            .toList());
  }

  public Optional<AttemptState> state(Connection connection, MigrationId id, int attempt)
      throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT state FROM attempts WHERE migration_id = ? AND attempt = ?")) {
      statement.setObject(1, id.value());
      statement.setInt(2, attempt);
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next()
            ? Optional.of(AttemptState.valueOf(rows.getString(1)))
            : Optional.empty();
      }
    }
  }

  /** The states of the attempts of {@code keys} that exist, in one round trip. */
  public Map<AttemptKey, AttemptState> states(Connection connection, Collection<AttemptKey> keys)
      throws SQLException {
    Map<AttemptKey, AttemptState> states = new HashMap<>();
    if (keys.isEmpty()) {
      return states;
    }
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT a.migration_id, a.attempt, a.state FROM attempts a"
                + " JOIN unnest(?::uuid[], ?::int[]) AS k (migration_id, attempt)"
                + " ON a.migration_id = k.migration_id AND a.attempt = k.attempt")) {
      Sql.setKeys(connection, statement, keys);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          states.put(
              new AttemptKey(Sql.migrationId(rows, "migration_id"), rows.getInt("attempt")),
              AttemptState.valueOf(rows.getString("state")));
        }
      }
    }
    return states;
  }

  /**
   * Whether the attempt is live and its StartMigration was confirmed by the broker: only then can
   * its agent be running it.
   */
  public boolean isWithAgent(Connection connection, MigrationId id, int attempt)
      throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT 1 FROM attempts WHERE migration_id = ? AND attempt = ?"
                + " AND state IN ('DISPATCHED', 'RUNNING') AND published_at IS NOT NULL")) {
      statement.setObject(1, id.value());
      statement.setInt(2, attempt);
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next();
      }
    }
  }

  /** The broker confirmed the StartMigrations of these attempts now; one statement. */
  public void markPublished(Connection connection, Collection<AttemptKey> keys)
      throws SQLException {
    update(connection, "published_at = now()", "", keys);
  }

  /** The agents reported on these attempts: those still DISPATCHED are RUNNING; one statement. */
  public void markRunning(Connection connection, Collection<AttemptKey> keys) throws SQLException {
    update(connection, "state = 'RUNNING'", " AND a.state = 'DISPATCHED'", keys);
  }

  /**
   * Fails a live attempt.
   *
   * @return false if the attempt was not live (nothing changed)
   */
  public boolean fail(
      Connection connection, MigrationId id, int attempt, String error, boolean retryable)
      throws SQLException {
    return Sql.update(
            connection,
            "UPDATE attempts SET state = 'FAILED', finished_at = now(), error = ?, retryable = ?"
                + " WHERE migration_id = ? AND attempt = ? AND state IN ('DISPATCHED', 'RUNNING')",
            StoredText.clean(error),
            retryable,
            id.value(),
            attempt)
        == 1;
  }

  /** Those of these attempts that are live SUCCEEDED now; one statement. */
  public void succeed(Connection connection, Collection<AttemptKey> keys) throws SQLException {
    update(
        connection,
        "state = 'SUCCEEDED', finished_at = now()",
        " AND a.state IN ('DISPATCHED', 'RUNNING')",
        keys);
  }

  /** {@code UPDATE attempts a SET set} for the attempts of {@code keys} that meet {@code and}. */
  private static void update(
      Connection connection, String set, String and, Collection<AttemptKey> keys)
      throws SQLException {
    if (keys.isEmpty()) {
      return;
    }
    try (PreparedStatement statement =
        connection.prepareStatement(
            "UPDATE attempts a SET "
                + set
                + " FROM unnest(?::uuid[], ?::int[]) AS k (migration_id, attempt)"
                + " WHERE a.migration_id = k.migration_id AND a.attempt = k.attempt"
                + and)) {
      Sql.setKeys(connection, statement, keys);
      statement.executeUpdate();
    }
  }

  /**
   * Locks the migrations whose current attempt is live and published but whose agent has not been
   * heard from (no event at all) for longer than {@code timeout}, by the database's clock. Skips
   * migrations another transaction holds, such as one folding an event that just arrived.
   */
  public List<SilentAttempt> lockSilent(Connection connection, Duration timeout)
      throws SQLException {
    String lastSign = "greatest(a.published_at, coalesce(m.last_heartbeat_at, a.published_at))";
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT m.migration_id, m.request_id, m.instance_id, m.state, m.attempt,"
                + " m.max_attempts, floor(extract(epoch FROM now() - "
                + lastSign
                + "))::bigint AS silent_seconds"
                + " FROM migrations m JOIN attempts a"
                + " ON a.migration_id = m.migration_id AND a.attempt = m.attempt"
                + " WHERE m.state = 'RUNNING' AND a.state IN ('DISPATCHED', 'RUNNING')"
                + " AND a.published_at IS NOT NULL AND "
                + lastSign
                + " < now() - ? * interval '1 millisecond'"
                + " FOR UPDATE OF m SKIP LOCKED")) {
      statement.setLong(1, timeout.toMillis());
      try (ResultSet rows = statement.executeQuery()) {
        List<SilentAttempt> silent = new ArrayList<>();
        while (rows.next()) {
          silent.add(new SilentAttempt(Migrations.row(rows), rows.getLong("silent_seconds")));
        }
        return silent;
      }
    }
  }
}
