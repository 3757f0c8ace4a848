package io.pgshuttle.coordinator.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgshuttle.coordinator.status.AttemptState;
import io.pgshuttle.coordinator.status.AttemptStatus;
import io.pgshuttle.coordinator.status.MigrationState;
import io.pgshuttle.coordinator.status.MigrationStatus;
import io.pgshuttle.coordinator.status.StepProgressView;
import io.pgshuttle.coordinator.status.StepState;
import io.pgshuttle.coordinator.status.StepStatus;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.Step;
import jakarta.inject.Inject;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Reads the status view from the store, each call in one consistent snapshot. Thread-safe.
 *
 * @throws StoreException from every method when the store fails
 */
public final class StatusQueries {
  private static final String MIGRATION_COLUMNS =
      "migration_id, request_id, instance_id, state, attempt, max_attempts, created_at,"
          + " started_at, finished_at, updated_at, next_attempt_at, last_heartbeat_at, error,"
          + " verification, cancel_requested_at, cancel_reason";

  private final Database database;
  private final ObjectMapper mapper;

  @Inject
  public StatusQueries(Database database, ObjectMapper mapper) {
    this.database = database;
    this.mapper = mapper;
  }

  /** The status of one migration; empty if the store does not know it. */
  public Optional<MigrationStatus> find(MigrationId id) {
    return database.inTransaction(
        connection -> {
          snapshot(connection);
          try (PreparedStatement statement =
              connection.prepareStatement(
                  "SELECT " + MIGRATION_COLUMNS + " FROM migrations WHERE migration_id = ?")) {
            statement.setObject(1, id.value());
            return assemble(connection, statement).stream().findFirst();
          }
        });
  }

  /** Migrations matching {@code filter}, newest first, and where the next page starts. */
  public MigrationPage list(MigrationFilter filter) {
    List<MigrationStatus> found =
        database.inTransaction(
            connection -> {
              snapshot(connection);
              try (PreparedStatement statement =
                  connection.prepareStatement(
                      "SELECT "
                          + MIGRATION_COLUMNS
                          + " FROM migrations WHERE (?::text IS NULL OR state = ?::text)"
                          + " AND (?::text IS NULL OR instance_id = ?::text)"
                          + " AND (?::timestamptz IS NULL OR created_at < ?::timestamptz"
                          + " OR (created_at = ?::timestamptz AND migration_id > ?::uuid))"
                          + " ORDER BY created_at DESC, migration_id LIMIT ?")) {
                String state = filter.state() == null ? null : filter.state().name();
                statement.setString(1, state);
                statement.setString(2, state);
                statement.setString(3, filter.instanceId());
                statement.setString(4, filter.instanceId());
                MigrationCursor after = filter.after();
                OffsetDateTime afterTime = after == null ? null : Sql.timestamp(after.createdAt());
                statement.setObject(5, afterTime);
                statement.setObject(6, afterTime);
                statement.setObject(7, afterTime);
                statement.setObject(8, after == null ? null : after.migrationId());
                // One more than asked tells whether another page follows.
                statement.setInt(9, filter.limit() + 1);
                return assemble(connection, statement);
              }
            });
    if (found.size() <= filter.limit()) {
      return new MigrationPage(found, null);
    }
    List<MigrationStatus> page = found.subList(0, filter.limit());
    return new MigrationPage(page, MigrationCursor.after(page.get(page.size() - 1)));
  }

  /** How many migrations and current steps are in each state, and the outbox's oldest entry. */
  public StoreCounts counts() {
    return database.inTransaction(
        connection -> {
          snapshot(connection);
          Map<MigrationState, Long> migrations = new EnumMap<>(MigrationState.class);
          for (MigrationState state : MigrationState.values()) {
            migrations.put(state, 0L);
          }
          try (PreparedStatement statement =
                  connection.prepareStatement(
                      "SELECT state, count(*) FROM migrations GROUP BY state");
              ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
              migrations.put(MigrationState.valueOf(rows.getString(1)), rows.getLong(2));
            }
          }
          Map<StepState, Long> steps = new EnumMap<>(StepState.class);
          for (StepState state : StepState.values()) {
            if (state != StepState.PENDING) {
              steps.put(state, 0L);
            }
          }
          try (PreparedStatement statement =
                  connection.prepareStatement(
                      "SELECT s.state, count(*) FROM steps s JOIN migrations m"
                          + " ON m.migration_id = s.migration_id AND m.attempt = s.attempt"
                          + " GROUP BY s.state");
              ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
              steps.put(StepState.valueOf(rows.getString(1)), rows.getLong(2));
            }
          }
          try (PreparedStatement statement =
                  connection.prepareStatement(
                      "SELECT COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)"
                          + " FROM outbox WHERE published_at IS NULL");
              ResultSet rows = statement.executeQuery()) {
            rows.next();
            long micros = Math.round(rows.getDouble(1) * 1_000_000);
            return new StoreCounts(migrations, steps, Duration.ofNanos(micros * 1000));
          }
        });
  }

  private static void snapshot(Connection connection) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")) {
      statement.execute();
    }
  }

  /** Runs the migrations query and adds the attempts and current steps of each. */
  private List<MigrationStatus> assemble(Connection connection, PreparedStatement migrations)
      throws SQLException {
    List<MigrationStatus> partial = new ArrayList<>();
    try (ResultSet rows = migrations.executeQuery()) {
      while (rows.next()) {
        partial.add(migration(rows));
      }
    }
    if (partial.isEmpty()) {
      return List.of();
    }
    Array ids =
        connection.createArrayOf(
            "uuid", partial.stream().map(status -> status.migrationId().value()).toArray());
    Map<UUID, List<AttemptStatus>> attempts = attempts(connection, ids);
    Map<UUID, Map<Step, StepStatus>> steps = currentSteps(connection, ids);
    List<MigrationStatus> complete = new ArrayList<>(partial.size());
    for (MigrationStatus status : partial) {
      UUID id = status.migrationId().value();
      Map<Step, StepStatus> known = steps.getOrDefault(id, Map.of());
      List<StepStatus> pipeline = new ArrayList<>();
      for (Step step : Step.values()) {
        pipeline.add(known.getOrDefault(step, StepStatus.pending(step)));
      }
      complete.add(
          new MigrationStatus(
              status.migrationId(),
              status.requestId(),
              status.instanceId(),
              status.state(),
              status.attempt(),
              status.maxAttempts(),
              status.createdAt(),
              status.startedAt(),
              status.finishedAt(),
              status.updatedAt(),
              status.nextAttemptAt(),
              status.lastHeartbeatAt(),
              status.error(),
              status.verification(),
              status.cancelRequestedAt(),
              status.cancelReason(),
              pipeline,
              attempts.getOrDefault(id, List.of())));
    }
    return complete;
  }

  private static MigrationStatus migration(ResultSet rows) throws SQLException {
    return new MigrationStatus(
        Sql.migrationId(rows, "migration_id"),
        rows.getString("request_id"),
        rows.getString("instance_id"),
        MigrationState.valueOf(rows.getString("state")),
        rows.getInt("attempt"),
        rows.getInt("max_attempts"),
        Sql.instant(rows, "created_at"),
        Sql.instant(rows, "started_at"),
        Sql.instant(rows, "finished_at"),
        Sql.instant(rows, "updated_at"),
        Sql.instant(rows, "next_attempt_at"),
        Sql.instant(rows, "last_heartbeat_at"),
        rows.getString("error"),
        rows.getString("verification"),
        Sql.instant(rows, "cancel_requested_at"),
        rows.getString("cancel_reason"),
        List.of(),
        List.of());
  }

  private static Map<UUID, List<AttemptStatus>> attempts(Connection connection, Array ids)
      throws SQLException {
    Map<UUID, List<AttemptStatus>> attempts = new HashMap<>();
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT migration_id, attempt, state, dispatched_at, finished_at, error, retryable"
                + " FROM attempts WHERE migration_id = ANY(?) ORDER BY migration_id, attempt")) {
      statement.setArray(1, ids);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          attempts
              .computeIfAbsent(rows.getObject("migration_id", UUID.class), id -> new ArrayList<>())
              .add(
                  new AttemptStatus(
                      rows.getInt("attempt"),
                      AttemptState.valueOf(rows.getString("state")),
                      Sql.instant(rows, "dispatched_at"),
                      Sql.instant(rows, "finished_at"),
                      rows.getString("error"),
                      Sql.nullableBoolean(rows, "retryable")));
        }
      }
    }
    return attempts;
  }

  private Map<UUID, Map<Step, StepStatus>> currentSteps(Connection connection, Array ids)
      throws SQLException {
    Map<UUID, Map<Step, StepStatus>> steps = new HashMap<>();
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT s.migration_id, s.step, s.state, s.started_at, s.finished_at,"
                + " s.progress::text AS progress, s.summary, s.error"
                + " FROM steps s JOIN migrations m"
                + " ON m.migration_id = s.migration_id AND m.attempt = s.attempt"
                + " WHERE m.migration_id = ANY(?)")) {
      statement.setArray(1, ids);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          Step step = Step.valueOf(rows.getString("step"));
          steps
              .computeIfAbsent(
                  rows.getObject("migration_id", UUID.class), id -> new EnumMap<>(Step.class))
              .put(
                  step,
                  new StepStatus(
                      step,
                      StepState.valueOf(rows.getString("state")),
                      Sql.instant(rows, "started_at"),
                      Sql.instant(rows, "finished_at"),
                      progress(rows.getString("progress")),
                      rows.getString("summary"),
                      rows.getString("error")));
        }
      }
    }
    return steps;
  }

  private StepProgressView progress(String json) throws SQLException {
    if (json == null) {
      return null;
    }
    try {
      return mapper.readValue(json, StepProgressView.class);
    } catch (JsonProcessingException e) {
      throw new SQLException("stored progress cannot be read: " + e.getOriginalMessage(), e);
    }
  }
}
