package io.pgshuttle.coordinator.store;

import io.pgshuttle.messages.MigrationId;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/** JDBC conversions the store's statements share. */
final class Sql {
  private Sql() {}

  /** Runs an INSERT, UPDATE or DELETE with positional parameters; returns the rows changed. */
  static int update(Connection connection, String sql, Object... parameters) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        statement.setObject(i + 1, parameters[i]);
      }
      return statement.executeUpdate();
    }
  }

  /**
   * Runs one INSERT, UPDATE or DELETE per parameter list, in one JDBC batch (one round trip); does
   * nothing for no lists.
   */
  static void updateAll(Connection connection, String sql, List<List<Object>> rows)
      throws SQLException {
    if (rows.isEmpty()) {
      return;
    }
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (List<Object> row : rows) {
        for (int i = 0; i < row.size(); i++) {
          statement.setObject(i + 1, row.get(i));
        }
        statement.addBatch();
      }
      statement.executeBatch();
    }
  }

  /** The migrations' ids as an SQL array, for {@code = ANY (?::uuid[])} and {@code unnest}. */
  static Array ids(Connection connection, Collection<MigrationId> ids) throws SQLException {
    return connection.createArrayOf(
        "uuid", ids.stream().map(MigrationId::value).toArray(UUID[]::new));
  }

  /** Sets the first two parameters to the arrays of the keys' migrations and attempt numbers. */
  static void setKeys(
      Connection connection, PreparedStatement statement, Collection<AttemptKey> keys)
      throws SQLException {
    statement.setArray(1, ids(connection, keys.stream().map(AttemptKey::id).toList()));
    statement.setArray(
        2,
        connection.createArrayOf(
            "int4", keys.stream().map(AttemptKey::attempt).toArray(Integer[]::new)));
  }

  static Instant instant(ResultSet rows, String column) throws SQLException {
    OffsetDateTime value = rows.getObject(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }

  /** An instant as the JDBC driver takes it for timestamptz; null stays null. */
  static OffsetDateTime timestamp(Instant value) {
    return value == null ? null : OffsetDateTime.ofInstant(value, ZoneOffset.UTC);
  }

  static MigrationId migrationId(ResultSet rows, String column) throws SQLException {
    return new MigrationId(rows.getObject(column, UUID.class));
  }

  static Long nullableLong(ResultSet rows, String column) throws SQLException {
    long value = rows.getLong(column);
    return rows.wasNull() ? null : value;
  }

  static Boolean nullableBoolean(ResultSet rows, String column) throws SQLException {
    boolean value = rows.getBoolean(column);
    return rows.wasNull() ? null : value;
  }
}
