package io.pgshuttle.coordinator.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgshuttle.coordinator.store.Database;
import io.pgshuttle.messages.MigrationId;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The {@code audit_log} table: {@link #record(Connection, AuditRecord)} writes an entry in the
 * caller's transaction, so that it is there exactly when what it records happened; {@link
 * #record(AuditRecord)} writes one on its own. Thread-safe.
 */
public final class AuditLog {
  /** Who, for what the coordinator does by itself (publishing commands, periodic sweeps). */
  public static final String COORDINATOR = "coordinator";

  private final Database database;
  private final ObjectMapper mapper;

  @Inject
  public AuditLog(Database database, ObjectMapper mapper) {
    this.database = database;
    this.mapper = mapper;
  }

  /**
   * Writes {@code record} in its own transaction, for actions that change nothing else in the store
   * (a refused command, a dead letter replayed or dropped).
   *
   * @throws io.pgshuttle.coordinator.store.StoreException if the store failed
   */
  public void record(AuditRecord record) {
    database.inTransaction(
        connection -> {
          record(connection, record);
          return null;
        });
  }

  /** Writes {@code record} in the caller's transaction. */
  public void record(Connection connection, AuditRecord record) throws SQLException {
    recordAll(connection, List.of(record));
  }

  /** Writes {@code records} in order in the caller's transaction, in one round trip. */
  public void recordAll(Connection connection, List<AuditRecord> records) throws SQLException {
    if (records.isEmpty()) {
      return;
    }
    try (PreparedStatement statement =
        connection.prepareStatement(
            "INSERT INTO audit_log (actor, action, migration_id, instance_id, detail)"
                + " VALUES (?, ?, ?, ?, ?::json)")) {
      for (AuditRecord record : records) {
        String detail;
        try {
          detail = mapper.writeValueAsString(record.detail());
        } catch (JsonProcessingException e) {
          throw new IllegalArgumentException(
              "audit detail is not JSON-writable: " + e.getMessage(), e);
        }
        statement.setString(1, record.actor());
        statement.setString(2, record.action().name());
        statement.setObject(3, record.migrationId() == null ? null : record.migrationId().value());
        statement.setString(4, record.instanceId());
        statement.setString(5, detail);
        statement.addBatch();
      }
      statement.executeBatch();
    }
  }

  /**
   * The entries {@code filter} selects, newest first.
   *
   * @throws io.pgshuttle.coordinator.store.StoreException if the store failed
   */
  public List<AuditEntry> list(AuditFilter filter) {
    return database.inTransaction(
        connection -> {
          try (PreparedStatement statement =
              connection.prepareStatement(
                  "SELECT audit_id, recorded_at, actor, action, migration_id, instance_id,"
                      + " detail::text FROM audit_log"
                      + " WHERE (?::uuid IS NULL OR migration_id = ?::uuid)"
                      + " AND (?::text IS NULL OR action = ?::text)"
                      + " AND (?::timestamptz IS NULL OR recorded_at >= ?::timestamptz)"
                      + " ORDER BY audit_id DESC LIMIT ?")) {
            UUID migration = filter.migrationId() == null ? null : filter.migrationId().value();
            String action = filter.action() == null ? null : filter.action().name();
            OffsetDateTime since =
                filter.since() == null
                    ? null
                    : OffsetDateTime.ofInstant(filter.since(), ZoneOffset.UTC);
            statement.setObject(1, migration);
            statement.setObject(2, migration);
            statement.setString(3, action);
            statement.setString(4, action);
            statement.setObject(5, since);
            statement.setObject(6, since);
            statement.setInt(7, filter.limit());
            try (ResultSet rows = statement.executeQuery()) {
              List<AuditEntry> entries = new ArrayList<>();
              while (rows.next()) {
                entries.add(entry(rows));
              }
              return entries;
            }
          }
        });
  }

  private AuditEntry entry(ResultSet rows) throws SQLException {
    UUID migration = rows.getObject("migration_id", UUID.class);
    try {
      return new AuditEntry(
          rows.getLong("audit_id"),
          rows.getObject("recorded_at", OffsetDateTime.class).toInstant(),
          rows.getString("actor"),
          rows.getString("action"),
          migration == null ? null : new MigrationId(migration),
          rows.getString("instance_id"),
          mapper.readTree(rows.getString("detail")));
    } catch (JsonProcessingException e) {
      throw new SQLException("audit entry " + rows.getLong("audit_id") + ": " + e.getMessage(), e);
    }
  }
}
