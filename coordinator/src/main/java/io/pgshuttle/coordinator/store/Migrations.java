package io.pgshuttle.coordinator.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgshuttle.coordinator.status.MigrationState;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.MigrationRequest;
import io.pgshuttle.messages.SealedSecret;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * Statements on the {@code migrations} table. Each runs in the caller's transaction. Stateless and
 * thread-safe.
 */
public final class Migrations {
  private static final String ROW =
      "migration_id, request_id, instance_id, state, attempt, max_attempts";

  private final ObjectMapper mapper;

  @Inject
  public Migrations(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /**
   * Records a PENDING migration of a valid request, due for its first attempt now. The request is
   * stored without its password; only {@code sealedPassword} is kept, in its own column.
   *
   * @param sealedPassword the request's password sealed for the agent of its instance; null when
   *     the target needs none
   * @return false if a migration with this requestId exists already (nothing changed)
   */
  public boolean insert(
      Connection connection, MigrationRequest request, SealedSecret sealedPassword)
      throws SQLException {
    return insertAll(connection, List.of(new NewMigration(request, sealedPassword)))
        .contains(request.requestId());
  }

  /** A request that passed intake's checks, with its password sealed (null for none). */
  public record NewMigration(MigrationRequest request, SealedSecret sealedPassword) {}

  /**
   * Records PENDING migrations as {@link #insert} does each, with one statement.
   *
   * @return the requestIds it recorded: one that exists already is left out (nothing changed)
   */
  public Set<String> insertAll(Connection connection, List<NewMigration> added)
      throws SQLException {
    int n = added.size();
    UUID[] ids = new UUID[n];
    String[] requestIds = new String[n];
    String[] instanceIds = new String[n];
    Integer[] maxAttempts = new Integer[n];
    String[] requests = new String[n];
    String[] sealed = new String[n];
    for (int i = 0; i < n; i++) {
      MigrationRequest request = added.get(i).request();
      ids[i] = request.migrationId().value();
      requestIds[i] = request.requestId();
      instanceIds[i] = request.instanceId();
      maxAttempts[i] = request.options().maxAttempts();
      requests[i] = writeRequest(request.withoutPassword());
      SealedSecret password = added.get(i).sealedPassword();
      sealed[i] = password == null ? null : writeJson(password);
    }
    Set<String> recorded = new HashSet<>();
    try (PreparedStatement statement =
        connection.prepareStatement(
            "INSERT INTO migrations (migration_id, request_id, instance_id, state, max_attempts,"
                + " request, target_password_sealed, next_attempt_at)"
                + " SELECT i, r, n, 'PENDING', a, q::jsonb, s::jsonb, now()"
                + " FROM unnest(?::uuid[], ?::text[], ?::text[], ?::int[], ?::text[], ?::text[])"
                + " WITH ORDINALITY AS t (i, r, n, a, q, s, o) ORDER BY o"
                + " ON CONFLICT (request_id) DO NOTHING RETURNING request_id")) {
      statement.setArray(1, connection.createArrayOf("uuid", ids));
      statement.setArray(2, connection.createArrayOf("text", requestIds));
      statement.setArray(3, connection.createArrayOf("text", instanceIds));
      statement.setArray(4, connection.createArrayOf("int4", maxAttempts));
      statement.setArray(5, connection.createArrayOf("text", requests));
      statement.setArray(6, connection.createArrayOf("text", sealed));
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          recorded.add(rows.getString(1));
        }
      }
    }
    return recorded;
  }

  /**
   * {@link #findByRequestId} of each of {@code requestIds}, by requestId; unknown ones left out.
   */
  public Map<String, MigrationRow> findByRequestIds(
      Connection connection, Collection<String> requestIds) throws SQLException {
    return byKey(connection, "request_id = ANY (?)", requestIds, MigrationRow::requestId);
  }

  /** {@link #findLive} of each of {@code instanceIds}, by instanceId; idle ones left out. */
  public Map<String, MigrationRow> findLiveOfInstances(
      Connection connection, Collection<String> instanceIds) throws SQLException {
    return byKey(
        connection,
        "instance_id = ANY (?) AND state IN ('PENDING', 'RUNNING')",
        instanceIds,
        MigrationRow::instanceId);
  }

  private Map<String, MigrationRow> byKey(
      Connection connection,
      String where,
      Collection<String> values,
      Function<MigrationRow, String> key)
      throws SQLException {
    Map<String, MigrationRow> found = new HashMap<>();
    for (MigrationRow row :
        many(
            connection,
            "SELECT " + ROW + " FROM migrations WHERE " + where,
            connection.createArrayOf("text", values.toArray()))) {
      found.put(key.apply(row), row);
    }
    return found;
  }

  public Optional<MigrationRow> findByRequestId(Connection connection, String requestId)
      throws SQLException {
    return one(connection, "SELECT " + ROW + " FROM migrations WHERE request_id = ?", requestId);
  }

  /** The PENDING or RUNNING migration of an instance, if any. */
  public Optional<MigrationRow> findLive(Connection connection, String instanceId)
      throws SQLException {
    return one(
        connection,
        "SELECT "
            + ROW
            + " FROM migrations WHERE instance_id = ? AND state IN ('PENDING', 'RUNNING')",
        instanceId);
  }

  /** Reads a migration and locks it until the transaction ends. */
  public Optional<MigrationRow> lock(Connection connection, MigrationId id) throws SQLException {
    return one(
        connection,
        "SELECT " + ROW + " FROM migrations WHERE migration_id = ? FOR UPDATE",
        id.value());
  }

  /**
   * Reads migrations and locks them until the transaction ends, in the order of their ids: every
   * transaction that locks several migrations takes them in that order (see {@code
   * EventFolder.foldAll}), so two of them never wait for each other. Missing ids are left out.
   */
  public Map<MigrationId, MigrationRow> lockAll(Connection connection, Collection<MigrationId> ids)
      throws SQLException {
    UUID[] values = ids.stream().map(MigrationId::value).distinct().toArray(UUID[]::new);
    Map<MigrationId, MigrationRow> locked = new HashMap<>();
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT "
                + ROW
                + " FROM migrations WHERE migration_id = ANY (?) ORDER BY migration_id"
                + " FOR UPDATE")) {
      statement.setArray(1, connection.createArrayOf("uuid", values));
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          MigrationRow row = row(rows);
          locked.put(row.id(), row);
        }
      }
    }
    return locked;
  }

  /**
   * Locks up to {@code limit} live migrations whose next attempt is due, the longest due first,
   * skipping those another transaction holds. The store function (V10) reads the due index in order
   * and stops at the limit, however few due rows the statistics expect.
   */
  public List<MigrationRow> lockDue(Connection connection, int limit) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement("SELECT " + ROW + " FROM lock_due_migrations(?)")) {
      statement.setInt(1, limit);
      try (ResultSet rows = statement.executeQuery()) {
        List<MigrationRow> due = new ArrayList<>();
        while (rows.next()) {
          due.add(row(rows));
        }
        return due;
      }
    }
  }

  /**
   * {@code count} fresh fencing tokens, ascending, each higher than every one handed out before.
   */
  public long[] nextFencingTokens(Connection connection, int count) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT nextval('fencing_tokens') FROM generate_series(1, ?)")) {
      statement.setInt(1, count);
      long[] tokens = new long[count];
      try (ResultSet rows = statement.executeQuery()) {
        for (int i = 0; i < count && rows.next(); i++) {
          tokens[i] = rows.getLong(1);
        }
      }
      Arrays.sort(tokens);
      return tokens;
    }
  }

  /**
   * Makes each attempt its migration's current one: RUNNING, nothing due, no sign of life yet; one
   * statement for all of them.
   */
  public void startAttempts(Connection connection, List<NewAttempt> started) throws SQLException {
    if (started.isEmpty()) {
      return;
    }
    try (PreparedStatement statement =
        connection.prepareStatement(
            "UPDATE migrations m SET attempt = s.attempt, fencing_token = s.fencing_token,"
                + " state = 'RUNNING', started_at = COALESCE(m.started_at, now()),"
                + " next_attempt_at = NULL, last_heartbeat_at = NULL, updated_at = now()"
                + " FROM unnest(?::uuid[], ?::int[], ?::bigint[])"
                + " AS s (migration_id, attempt, fencing_token)"
                + " WHERE m.migration_id = s.migration_id")) {
      Sql.setKeys(
          connection,
          statement,
          started.stream()
              .map(attempt -> new AttemptKey(attempt.id(), attempt.attempt()))
              .toList());
      statement.setArray(
          3,
          connection.createArrayOf(
              "int8", started.stream().map(NewAttempt::fencingToken).toArray(Long[]::new)));
      statement.executeUpdate();
    }
  }

  /** The current attempts' agents of these migrations were heard from now; one statement. */
  public void recordSignsOfLife(Connection connection, Collection<MigrationId> ids)
      throws SQLException {
    if (ids.isEmpty()) {
      return;
    }
    try (PreparedStatement statement =
        connection.prepareStatement(
            "UPDATE migrations SET last_heartbeat_at = now(), updated_at = now()"
                + " WHERE migration_id = ANY (?)")) {
      statement.setArray(1, Sql.ids(connection, ids));
      statement.executeUpdate();
    }
  }

  /**
   * Keeps the migration RUNNING with {@code error} as its last error; the next attempt is due
   * {@code delay} from now. From the clock, not {@code now()}: that is the transaction's start,
   * which can lie well before the failure is folded (a fold's transaction may wait for a
   * migration's lock), and would cut the backoff short.
   */
  public void scheduleRetry(Connection connection, MigrationId id, String error, Duration delay)
      throws SQLException {
    Sql.update(
        connection,
        "UPDATE migrations SET error = ?,"
            + " next_attempt_at = clock_timestamp() + ? * interval '1 millisecond',"
            + " updated_at = now() WHERE migration_id = ?",
        StoredText.clean(error),
        delay.toMillis(),
        id.value());
  }

  public void fail(Connection connection, MigrationId id, String error) throws SQLException {
    Sql.update(
        connection,
        "UPDATE migrations SET state = 'FAILED', error = ?, finished_at = now(),"
            + " next_attempt_at = NULL, updated_at = now() WHERE migration_id = ?",
        StoredText.clean(error),
        id.value());
  }

  /**
   * Records a cancel request, unless one is recorded already (the first one's time and reason
   * stand).
   *
   * @param reason null when none was given
   * @return false if a cancel was requested before (nothing changed)
   */
  public boolean requestCancel(Connection connection, MigrationId id, String reason)
      throws SQLException {
    return Sql.update(
            connection,
            "UPDATE migrations SET cancel_requested_at = now(), cancel_reason = ?,"
                + " updated_at = now() WHERE migration_id = ? AND cancel_requested_at IS NULL",
            StoredText.clean(reason),
            id.value())
        == 1;
  }

  /** The cancel requested for the migration, if any. */
  public Optional<CancelRequest> cancelRequest(Connection connection, MigrationId id)
      throws SQLException {
    return Optional.ofNullable(cancelRequests(connection, List.of(id)).get(id));
  }

  /** The cancels requested for these migrations, of those that have one; one round trip. */
  public Map<MigrationId, CancelRequest> cancelRequests(
      Connection connection, Collection<MigrationId> ids) throws SQLException {
    Map<MigrationId, CancelRequest> requests = new HashMap<>();
    if (ids.isEmpty()) {
      return requests;
    }
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT migration_id, cancel_requested_at, cancel_reason FROM migrations"
                + " WHERE migration_id = ANY (?) AND cancel_requested_at IS NOT NULL")) {
      statement.setArray(1, Sql.ids(connection, ids));
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          requests.put(
              Sql.migrationId(rows, "migration_id"),
              new CancelRequest(
                  Sql.instant(rows, "cancel_requested_at"), rows.getString("cancel_reason")));
        }
      }
    }
    return requests;
  }

  /** Ends the migration CANCELLED with {@code error}; nothing is due any more. */
  public void cancel(Connection connection, MigrationId id, String error) throws SQLException {
    Sql.update(
        connection,
        "UPDATE migrations SET state = 'CANCELLED', error = ?, finished_at = now(),"
            + " next_attempt_at = NULL, updated_at = now() WHERE migration_id = ?",
        StoredText.clean(error),
        id.value());
  }

  /**
   * Ends migrations SUCCEEDED, each with its VERIFY summary; one statement.
   *
   * @param verifications each migration's summary (a null summary stays null)
   */
  public void succeed(Connection connection, Map<MigrationId, String> verifications)
      throws SQLException {
    if (verifications.isEmpty()) {
      return;
    }
    UUID[] ids = new UUID[verifications.size()];
    String[] summaries = new String[verifications.size()];
    int i = 0;
    for (Map.Entry<MigrationId, String> succeeded : verifications.entrySet()) {
      ids[i] = succeeded.getKey().value();
      summaries[i] = StoredText.clean(succeeded.getValue());
      i++;
    }
    try (PreparedStatement statement =
        connection.prepareStatement(
            "UPDATE migrations m SET state = 'SUCCEEDED', error = NULL,"
                + " verification = s.verification, finished_at = now(), next_attempt_at = NULL,"
                + " updated_at = now()"
                + " FROM unnest(?::uuid[], ?::text[]) AS s (migration_id, verification)"
                + " WHERE m.migration_id = s.migration_id")) {
      statement.setArray(1, connection.createArrayOf("uuid", ids));
      statement.setArray(2, connection.createArrayOf("text", summaries));
      statement.executeUpdate();
    }
  }

  /** The stored request of a migration, without its password; empty for an unknown id. */
  public Optional<MigrationRequest> request(Connection connection, MigrationId id)
      throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT request::text FROM migrations WHERE migration_id = ?")) {
      statement.setObject(1, id.value());
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next() ? Optional.of(readRequest(rows.getString(1))) : Optional.empty();
      }
    }
  }

  /** The request, sealed password and current fencing token, to build a StartMigration from. */
  public DispatchPayload dispatchPayload(Connection connection, MigrationId id)
      throws SQLException {
    DispatchPayload payload = dispatchPayloads(connection, List.of(id)).get(id);
    if (payload == null) {
      throw new SQLException("migration " + id + " is gone", "02000");
    }
    return payload;
  }

  /** {@link #dispatchPayload} of several migrations in one round trip; missing ids are left out. */
  public Map<MigrationId, DispatchPayload> dispatchPayloads(
      Connection connection, Collection<MigrationId> ids) throws SQLException {
    Map<MigrationId, DispatchPayload> payloads = new HashMap<>();
    if (ids.isEmpty()) {
      return payloads;
    }
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT migration_id, request::text, target_password_sealed::text, fencing_token"
                + " FROM migrations WHERE migration_id = ANY (?)")) {
      statement.setArray(1, Sql.ids(connection, ids));
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          String sealed = rows.getString(3);
          payloads.put(
              Sql.migrationId(rows, "migration_id"),
              new DispatchPayload(
                  readRequest(rows.getString(2)),
                  sealed == null ? null : readJson(sealed, SealedSecret.class),
                  rows.getLong("fencing_token")));
        }
      }
    }
    return payloads;
  }

  private Optional<MigrationRow> one(Connection connection, String sql, Object parameter)
      throws SQLException {
    return many(connection, sql, parameter).stream().findFirst();
  }

  private List<MigrationRow> many(Connection connection, String sql, Object parameter)
      throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setObject(1, parameter);
      try (ResultSet rows = statement.executeQuery()) {
        List<MigrationRow> found = new ArrayList<>();
        while (rows.next()) {
          found.add(row(rows));
        }
        return found;
      }
    }
  }

  static MigrationRow row(ResultSet rows) throws SQLException {
    return new MigrationRow(
        Sql.migrationId(rows, "migration_id"),
        rows.getString("request_id"),
        rows.getString("instance_id"),
        MigrationState.valueOf(rows.getString("state")),
        rows.getInt("attempt"),
        rows.getInt("max_attempts"));
  }

  private String writeRequest(MigrationRequest request) {
    return writeJson(request);
  }

  private String writeJson(Object value) {
    try {
      return mapper.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + value.getClass().getSimpleName(), e);
    }
  }

  private MigrationRequest readRequest(String json) throws SQLException {
    return readJson(json, MigrationRequest.class);
  }

  private <T> T readJson(String json, Class<T> type) throws SQLException {
    try {
      return mapper.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new SQLException(
          "stored " + type.getSimpleName() + " cannot be read: " + e.getOriginalMessage(), e);
    }
  }
}
