package io.pgshuttle.coordinator.store;

import io.pgshuttle.messages.MigrationId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
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
