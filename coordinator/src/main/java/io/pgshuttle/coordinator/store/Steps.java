package io.pgshuttle.coordinator.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgshuttle.coordinator.status.StepProgressView;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.StepProgress;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Statements on the {@code steps} table. Each runs in the caller's transaction and tolerates events
 * that arrive out of order: a finished step never becomes RUNNING again, and older progress never
 * replaces newer. Stateless and thread-safe.
 */
public final class Steps {
  private final ObjectMapper mapper;

  @Inject
  public Steps(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /**
   * A step of an attempt.
   *
   * @param id the migration, not null
   * @param step not null
   */
  public record Key(MigrationId id, int attempt, Step step) {}

  /**
   * The bytesDone of each step's last progress report, of the steps that reported one; one round
   * trip.
   */
  public Map<Key, Long> bytesDone(Connection connection, Collection<Key> keys) throws SQLException {
    Map<Key, Long> bytes = new HashMap<>();
    if (keys.isEmpty()) {
      return bytes;
    }
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT s.migration_id, s.attempt, s.step, (s.progress->>'bytesDone')::bigint AS bytes"
                + " FROM steps s JOIN unnest(?::uuid[], ?::int[], ?::text[])"
                + " AS k (migration_id, attempt, step)"
                + " ON s.migration_id = k.migration_id AND s.attempt = k.attempt"
                + " AND s.step = k.step"
                + " WHERE s.progress->>'bytesDone' IS NOT NULL")) {
      statement.setArray(1, Sql.ids(connection, keys.stream().map(Key::id).toList()));
      statement.setArray(
          2,
          connection.createArrayOf(
              "int4", keys.stream().map(Key::attempt).toArray(Integer[]::new)));
      statement.setArray(
          3,
          connection.createArrayOf(
              "text", keys.stream().map(key -> key.step().name()).toArray(String[]::new)));
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          bytes.put(
              new Key(
                  Sql.migrationId(rows, "migration_id"),
                  rows.getInt("attempt"),
                  Step.valueOf(rows.getString("step"))),
              rows.getLong("bytes"));
        }
      }
    }
    return bytes;
  }

  /**
   * A change of one step that an event makes, ready to write. Immutable.
   *
   * @param kind which statement writes it; changes of one kind go to the store together
   * @param parameters the statement's parameters, in order
   */
  public record Change(Kind kind, List<Object> parameters) {}

  /**
   * The statements, in the order {@link #write} runs them: a step's start, then its progress, then
   * its end, as an agent reports them. Each stores many changes at once, one row of its {@code
   * unnest} per change, every parameter an array of text cast to its column's type.
   */
  public enum Kind {
    STARTED(
        "INSERT INTO steps (migration_id, attempt, step, state, started_at)"
            + " SELECT c1::uuid, c2::int, c3, 'RUNNING', c4::timestamptz"
            + " FROM unnest(?::text[], ?::text[], ?::text[], ?::text[]) AS c (c1, c2, c3, c4)"
            + " ON CONFLICT (migration_id, attempt, step) DO UPDATE"
            + " SET started_at = COALESCE(steps.started_at, EXCLUDED.started_at)",
        4),
    PROGRESS(
        "INSERT INTO steps (migration_id, attempt, step, state, progress, progress_seq)"
            + " SELECT c1::uuid, c2::int, c3, 'RUNNING', c4::jsonb, c5::bigint"
            + " FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[])"
            + " AS c (c1, c2, c3, c4, c5)"
            + " ON CONFLICT (migration_id, attempt, step) DO UPDATE"
            + " SET progress = EXCLUDED.progress, progress_seq = EXCLUDED.progress_seq"
            + " WHERE steps.progress_seq IS NULL OR steps.progress_seq < EXCLUDED.progress_seq",
        5),
    SUCCEEDED(
        "INSERT INTO steps (migration_id, attempt, step, state, started_at, finished_at, summary)"
            + " SELECT c1::uuid, c2::int, c3, 'SUCCEEDED', c4::timestamptz, c5::timestamptz, c6"
            + " FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])"
            + " AS c (c1, c2, c3, c4, c5, c6)"
            + " ON CONFLICT (migration_id, attempt, step) DO UPDATE"
            + " SET state = 'SUCCEEDED', finished_at = EXCLUDED.finished_at,"
            + " summary = EXCLUDED.summary,"
            + " started_at = COALESCE(steps.started_at, EXCLUDED.started_at)",
        6),
    FAILED(
        "INSERT INTO steps (migration_id, attempt, step, state, finished_at, error)"
            + " SELECT c1::uuid, c2::int, c3, 'FAILED', c4::timestamptz, c5"
            + " FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[])"
            + " AS c (c1, c2, c3, c4, c5)"
            + " ON CONFLICT (migration_id, attempt, step) DO UPDATE"
            + " SET state = 'FAILED', finished_at = EXCLUDED.finished_at, error = EXCLUDED.error",
        5);

    private final String sql;
    private final int columns;

    Kind(String sql, int columns) {
      this.sql = sql;
      this.columns = columns;
    }
  }

  public Change started(MigrationId id, int attempt, Step step, Instant at) {
    return change(Kind.STARTED, id.value(), attempt, step.name(), Sql.timestamp(at));
  }

  public Change progress(MigrationId id, int attempt, StepProgress progress, long seq) {
    return change(
        Kind.PROGRESS, id.value(), attempt, progress.step().name(), progressJson(progress), seq);
  }

  public Change succeeded(
      MigrationId id, int attempt, Step step, Instant at, long durationMillis, String summary) {
    return change(
        Kind.SUCCEEDED,
        id.value(),
        attempt,
        step.name(),
        Sql.timestamp(at.minusMillis(Math.max(0, durationMillis))),
        Sql.timestamp(at),
        StoredText.clean(summary));
  }

  public Change failed(MigrationId id, int attempt, Step step, Instant at, String error) {
    return change(
        Kind.FAILED, id.value(), attempt, step.name(), Sql.timestamp(at), StoredText.clean(error));
  }

  private static Change change(Kind kind, Object... parameters) {
    return new Change(kind, Arrays.asList(parameters));
  }

  /**
   * Writes changes, one statement (one round trip) per kind, in the order of {@link Kind}; within a
   * kind, in the given order: a step changed twice by one kind (two progress reports, say) takes a
   * second statement, as one statement cannot change a row twice. The statements tolerate events
   * out of order (see above), and a step's events arrive in that order, so this leaves the steps as
   * writing them one by one would.
   */
  public void write(Connection connection, List<Change> changes) throws SQLException {
    for (Kind kind : Kind.values()) {
      List<Change> left = changes.stream().filter(change -> change.kind() == kind).toList();
      while (!left.isEmpty()) {
        Set<List<Object>> steps = new HashSet<>();
        List<Change> now = new ArrayList<>(left.size());
        List<Change> later = new ArrayList<>();
        for (Change change : left) {
          // (migration, attempt, step): the first three parameters of every kind.
          (steps.add(change.parameters().subList(0, 3)) ? now : later).add(change);
        }
        writeAtOnce(connection, kind, now);
        left = later;
      }
    }
  }

  /** Writes changes of one kind, no two of one step, in one statement. */
  private static void writeAtOnce(Connection connection, Kind kind, List<Change> changes)
      throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(kind.sql)) {
      for (int column = 0; column < kind.columns; column++) {
        String[] values = new String[changes.size()];
        for (int row = 0; row < values.length; row++) {
          Object value = changes.get(row).parameters().get(column);
          values[row] = value == null ? null : value.toString();
        }
        statement.setArray(column + 1, connection.createArrayOf("text", values));
      }
      statement.executeUpdate();
    }
  }

  private String progressJson(StepProgress progress) {
    Double percent = progress.percent();
    StepProgressView view =
        new StepProgressView(
            percent == null || !Double.isFinite(percent) ? null : percent,
            progress.bytesDone(),
            progress.bytesTotal(),
            progress.tablesDone(),
            progress.tablesTotal(),
            StoredText.clean(progress.detail()),
            progress.etaSeconds());
    try {
      return mapper.writeValueAsString(view);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write progress as JSON", e);
    }
  }
}
