package io.pgshuttle.coordinator.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgshuttle.coordinator.status.DeadLetter;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Statements on the {@code dead_letters} table. Each runs in the caller's transaction. Stateless
 * and thread-safe.
 */
public final class DeadLetters {
  private static final String COLUMNS =
      "dead_letter_id, position, reason, detail, first_failed_at, delivery_count, replays,"
          + " request_id, instance_id, request::text, raw_body, password_removed";

  private final ObjectMapper mapper;

  @Inject
  public DeadLetters(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /** A stored dead letter, its place in the listing, and whether its password was removed. */
  public record Row(DeadLetter letter, long position, boolean passwordRemoved) {}

  /**
   * Records a dead letter: a new entry, or, for a replay that failed again, the entry it came from
   * with the new reason, one more delivery and the higher replay count. A redelivery of the message
   * recorded last changes nothing.
   */
  public void record(Connection connection, ArrivedDeadLetter arrived) throws SQLException {
    Sql.update(
        connection,
        "INSERT INTO dead_letters (dead_letter_id, reason, detail, first_failed_at,"
            + " delivery_count, replays, last_message_id, request_id, instance_id, request,"
            + " raw_body, password_removed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::json, ?, ?)"
            + " ON CONFLICT (dead_letter_id) DO UPDATE SET reason = EXCLUDED.reason,"
            + " detail = EXCLUDED.detail,"
            + " delivery_count = GREATEST(dead_letters.delivery_count + 1, EXCLUDED.delivery_count),"
            + " replays = GREATEST(dead_letters.replays, EXCLUDED.replays),"
            + " last_message_id = EXCLUDED.last_message_id,"
            + " password_removed = dead_letters.password_removed OR EXCLUDED.password_removed"
            + " WHERE dead_letters.last_message_id IS DISTINCT FROM EXCLUDED.last_message_id",
        arrived.id(),
        StoredText.clean(arrived.reason()),
        StoredText.clean(arrived.detail()),
        Sql.timestamp(arrived.failedAt()),
        arrived.deliveryCount(),
        arrived.replays(),
        StoredText.clean(arrived.messageId()),
        StoredText.clean(arrived.requestId()),
        StoredText.clean(arrived.instanceId()),
        arrived.request() == null ? null : arrived.request().toString(),
        StoredText.clean(arrived.rawBody()),
        arrived.passwordRemoved());
  }

  /**
   * Newest first, as {@code filter} says, and one more than its limit if there is one: that one
   * tells the caller a next page exists.
   */
  public List<Row> list(Connection connection, DeadLetterFilter filter) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT "
                + COLUMNS
                + " FROM dead_letters WHERE (?::text IS NULL OR reason = ?::text)"
                + " AND (?::text IS NULL OR instance_id = ?::text)"
                + " AND (?::bigint IS NULL OR position < ?::bigint)"
                + " ORDER BY position DESC LIMIT ?")) {
      statement.setString(1, filter.reason());
      statement.setString(2, filter.reason());
      statement.setString(3, filter.instanceId());
      statement.setString(4, filter.instanceId());
      statement.setObject(5, filter.after());
      statement.setObject(6, filter.after());
      statement.setInt(7, filter.limit() + 1);
      return rows(statement);
    }
  }

  /** Reads a dead letter and locks it until the transaction ends; empty if there is none. */
  public Optional<Row> lock(Connection connection, UUID id) throws SQLException {
    return one(
        connection,
        "SELECT " + COLUMNS + " FROM dead_letters WHERE dead_letter_id = ?" + " FOR UPDATE",
        id);
  }

  public Optional<Row> find(Connection connection, UUID id) throws SQLException {
    return one(connection, "SELECT " + COLUMNS + " FROM dead_letters WHERE dead_letter_id = ?", id);
  }

  /** Counts one more replay of the dead letter. */
  public void countReplay(Connection connection, UUID id) throws SQLException {
    Sql.update(
        connection, "UPDATE dead_letters SET replays = replays + 1 WHERE dead_letter_id = ?", id);
  }

  /** Deletes the dead letter; false if there was none. */
  public boolean delete(Connection connection, UUID id) throws SQLException {
    return Sql.update(connection, "DELETE FROM dead_letters WHERE dead_letter_id = ?", id) == 1;
  }

  private Optional<Row> one(Connection connection, String sql, UUID id) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setObject(1, id);
      return rows(statement).stream().findFirst();
    }
  }

  private List<Row> rows(PreparedStatement statement) throws SQLException {
    try (ResultSet rows = statement.executeQuery()) {
      List<Row> found = new ArrayList<>();
      while (rows.next()) {
        String request = rows.getString("request");
        DeadLetter letter =
            new DeadLetter(
                rows.getObject("dead_letter_id", UUID.class),
                rows.getString("reason"),
                rows.getString("detail"),
                Sql.instant(rows, "first_failed_at"),
                rows.getInt("delivery_count"),
                rows.getInt("replays"),
                rows.getString("request_id"),
                rows.getString("instance_id"),
                request == null ? null : readTree(request),
                rows.getString("raw_body"));
        found.add(new Row(letter, rows.getLong("position"), rows.getBoolean("password_removed")));
      }
      return found;
    }
  }

  private JsonNode readTree(String json) throws SQLException {
    try {
      return mapper.readTree(json);
    } catch (JsonProcessingException e) {
      throw new SQLException("stored dead letter cannot be read: " + e.getOriginalMessage(), e);
    }
  }
}
