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
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;

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

  /** The bytesDone of the step's last progress report; empty when it reported none. */
  public OptionalLong bytesDone(Connection connection, MigrationId id, int attempt, Step step)
      throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT (progress->>'bytesDone')::bigint FROM steps"
                + " WHERE migration_id = ? AND attempt = ? AND step = ?")) {
      statement.setObject(1, id.value());
      statement.setInt(2, attempt);
      statement.setString(3, step.name());
      try (ResultSet rows = statement.executeQuery()) {
        if (!rows.next()) {
          return OptionalLong.empty();
        }
        long bytes = rows.getLong(1);
        return rows.wasNull() ? OptionalLong.empty() : OptionalLong.of(bytes);
      }
    }
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
   * its end, as an agent reports them.
   */
  public enum Kind {
    STARTED(
        "INSERT INTO steps (migration_id, attempt, step, state, started_at)"
            + " VALUES (?, ?, ?, 'RUNNING', ?)"
            + " ON CONFLICT (migration_id, attempt, step) DO UPDATE"
            + " SET started_at = COALESCE(steps.started_at, EXCLUDED.started_at)"),
    PROGRESS(
        "INSERT INTO steps (migration_id, attempt, step, state, progress, progress_seq)"
            + " VALUES (?, ?, ?, 'RUNNING', ?::jsonb, ?)"
            + " ON CONFLICT (migration_id, attempt, step) DO UPDATE"
            + " SET progress = EXCLUDED.progress, progress_seq = EXCLUDED.progress_seq"
            + " WHERE steps.progress_seq IS NULL OR steps.progress_seq < EXCLUDED.progress_seq"),
    SUCCEEDED(
        "INSERT INTO steps (migration_id, attempt, step, state, started_at, finished_at, summary)"
            + " VALUES (?, ?, ?, 'SUCCEEDED', ?, ?, ?)"
            + " ON CONFLICT (migration_id, attempt, step) DO UPDATE"
            + " SET state = 'SUCCEEDED', finished_at = EXCLUDED.finished_at,"
            + " summary = EXCLUDED.summary,"
            + " started_at = COALESCE(steps.started_at, EXCLUDED.started_at)"),
    FAILED(
        "INSERT INTO steps (migration_id, attempt, step, state, finished_at, error)"
            + " VALUES (?, ?, ?, 'FAILED', ?, ?)"
            + " ON CONFLICT (migration_id, attempt, step) DO UPDATE"
            + " SET state = 'FAILED', finished_at = EXCLUDED.finished_at, error = EXCLUDED.error");

    private final String sql;

    Kind(String sql) {
      this.sql = sql;
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
   * Writes changes, one JDBC batch (one round trip) per kind, in the order of {@link Kind}; within
   * a kind, in the given order. The statements tolerate events out of order (see above), and a
   * step's events arrive in that order, so this leaves the steps as writing them one by one would.
   */
  public void write(Connection connection, List<Change> changes) throws SQLException {
    for (Kind kind : Kind.values()) {
      PreparedStatement statement = null;
      try {
        for (Change change : changes) {
          if (change.kind() != kind) {
            continue;
          }
          if (statement == null) {
            statement = connection.prepareStatement(kind.sql);
          }
          for (int i = 0; i < change.parameters().size(); i++) {
            statement.setObject(i + 1, change.parameters().get(i));
          }
          statement.addBatch();
        }
        if (statement != null) {
          statement.executeBatch();
        }
      } finally {
        if (statement != null) {
          statement.close();
        }
      }
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
