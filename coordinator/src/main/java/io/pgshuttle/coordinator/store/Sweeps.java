package io.pgshuttle.coordinator.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgshuttle.coordinator.status.SweepInstanceState;
import io.pgshuttle.coordinator.status.SweepInstanceStatus;
import io.pgshuttle.coordinator.status.SweepStatus;
import io.pgshuttle.coordinator.status.SweepTrigger;
import io.pgshuttle.messages.LeftoversSwept;
import io.pgshuttle.messages.MigrationId;
import jakarta.inject.Inject;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Statements on the {@code sweeps} and {@code sweep_instances} tables, and on {@code
 * migrations.swept_at}. Each runs in the caller's transaction. Stateless and thread-safe.
 */
public final class Sweeps {
  private static final String ENDED = "state IN ('FAILED', 'CANCELLED') AND swept_at IS NULL";
  private static final String OF_INSTANCE = "(?::text IS NULL OR instance_id = ?::text)";

  private final ObjectMapper mapper;

  @Inject
  public Sweeps(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /**
   * Marks swept the ended migrations no attempt of which ever reached an agent (none was confirmed
   * by the broker): they cannot have left anything.
   *
   * @param instanceId only this instance's; null for all
   * @return how many
   */
  public int markNeverDispatchedSwept(Connection connection, String instanceId)
      throws SQLException {
    return Sql.update(
        connection,
        "UPDATE migrations m SET swept_at = now() WHERE "
            + ENDED
            + " AND "
            + OF_INSTANCE
            + " AND NOT EXISTS (SELECT 1 FROM attempts a WHERE a.migration_id = m.migration_id"
            + " AND a.published_at IS NOT NULL)",
        instanceId,
        instanceId);
  }

  /**
   * Up to {@code limit} ended migrations whose leftovers are not known to be gone, oldest ended
   * first.
   *
   * @param instanceId only this instance's; null for all
   */
  public List<MigrationRow> unswept(Connection connection, String instanceId, int limit)
      throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT migration_id, request_id, instance_id, state, attempt, max_attempts"
                + " FROM migrations WHERE "
                + ENDED
                + " AND "
                + OF_INSTANCE
                + " ORDER BY finished_at, migration_id LIMIT ?")) {
      statement.setString(1, instanceId);
      statement.setString(2, instanceId);
      statement.setInt(3, limit);
      try (ResultSet rows = statement.executeQuery()) {
        List<MigrationRow> unswept = new ArrayList<>();
        while (rows.next()) {
          unswept.add(Migrations.row(rows));
        }
        return unswept;
      }
    }
  }

  /** Records a sweep; {@code instanceId} is the instance a request named, null for all. */
  public void insert(Connection connection, UUID sweepId, SweepTrigger trigger, String instanceId)
      throws SQLException {
    Sql.update(
        connection,
        "INSERT INTO sweeps (sweep_id, trigger, instance_id) VALUES (?, ?, ?)",
        sweepId,
        trigger.name(),
        instanceId);
  }

  /** Records that the sweep goes to {@code instanceId} naming {@code migrations}: SENDING. */
  public void insertInstance(
      Connection connection, UUID sweepId, String instanceId, Collection<MigrationId> migrations)
      throws SQLException {
    Sql.update(
        connection,
        "INSERT INTO sweep_instances (sweep_id, instance_id, migration_ids, state)"
            + " VALUES (?, ?, ?, 'SENDING')",
        sweepId,
        instanceId,
        uuids(connection, migrations));
  }

  /**
   * Records what became of sending: SENT, or NO_AGENT or NOT_SENT with {@code error}. A report that
   * came in the meantime stays.
   */
  public void markSent(
      Connection connection,
      UUID sweepId,
      String instanceId,
      SweepInstanceState state,
      String error)
      throws SQLException {
    Sql.update(
        connection,
        "UPDATE sweep_instances SET state = ?, error = ? WHERE sweep_id = ? AND instance_id = ?"
            + " AND state = 'SENDING'",
        state.name(),
        StoredText.clean(error),
        sweepId,
        instanceId);
  }

  /**
   * Records an agent's report, once. A report of a sweep the coordinator did not send (the agent's
   * own) is recorded as a sweep of trigger AGENT.
   *
   * @return false if this report was recorded before (nothing changed)
   */
  public boolean recordReport(Connection connection, String instanceId, LeftoversSwept report)
      throws SQLException {
    String json = writeReport(report);
    int updated =
        Sql.update(
            connection,
            "UPDATE sweep_instances SET state = 'REPORTED', reported_at = now(), report = ?::json"
                + " WHERE sweep_id = ? AND instance_id = ? AND state <> 'REPORTED'",
            json,
            report.sweepId(),
            instanceId);
    if (updated == 1) {
      return true;
    }
    Sql.update(
        connection,
        "INSERT INTO sweeps (sweep_id, trigger) VALUES (?, 'AGENT') ON CONFLICT DO NOTHING",
        report.sweepId());
    return Sql.update(
            connection,
            "INSERT INTO sweep_instances"
                + " (sweep_id, instance_id, migration_ids, state, reported_at, report)"
                + " VALUES (?, ?, '{}', 'REPORTED', now(), ?::json) ON CONFLICT DO NOTHING",
            report.sweepId(),
            instanceId,
            json)
        == 1;
  }

  /**
   * Marks swept the ended migrations of {@code instanceId} among {@code migrations}.
   *
   * @return how many
   */
  public int markSwept(Connection connection, String instanceId, Collection<MigrationId> migrations)
      throws SQLException {
    if (migrations.isEmpty()) {
      return 0;
    }
    return Sql.update(
        connection,
        "UPDATE migrations SET swept_at = now() WHERE migration_id = ANY (?) AND instance_id = ?"
            + " AND "
            + ENDED,
        uuids(connection, migrations),
        instanceId);
  }

  /** The sweep and every instance's part of it; empty if there is no such sweep. */
  public Optional<SweepStatus> find(Connection connection, UUID sweepId) throws SQLException {
    SweepTrigger trigger;
    String instanceId;
    Instant requestedAt;
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT trigger, instance_id, requested_at FROM sweeps WHERE sweep_id = ?")) {
      statement.setObject(1, sweepId);
      try (ResultSet rows = statement.executeQuery()) {
        if (!rows.next()) {
          return Optional.empty();
        }
        trigger = SweepTrigger.valueOf(rows.getString("trigger"));
        instanceId = rows.getString("instance_id");
        requestedAt = Sql.instant(rows, "requested_at");
      }
    }
    List<SweepInstanceStatus> instances = new ArrayList<>();
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT instance_id, state, migration_ids, error, reported_at, report::text"
                + " FROM sweep_instances WHERE sweep_id = ? ORDER BY instance_id")) {
      statement.setObject(1, sweepId);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          instances.add(instance(rows));
        }
      }
    }
    return Optional.of(new SweepStatus(sweepId, trigger, instanceId, requestedAt, instances));
  }

  private SweepInstanceStatus instance(ResultSet rows) throws SQLException {
    List<MigrationId> migrations = new ArrayList<>();
    for (Object id : (Object[]) rows.getArray("migration_ids").getArray()) {
      migrations.add(new MigrationId((UUID) id));
    }
    String json = rows.getString("report");
    LeftoversSwept report = json == null ? null : readReport(json);
    return new SweepInstanceStatus(
        rows.getString("instance_id"),
        SweepInstanceState.valueOf(rows.getString("state")),
        migrations,
        rows.getString("error"),
        Sql.instant(rows, "reported_at"),
        report == null ? null : report.removed(),
        report == null ? null : report.notRemoved(),
        report == null ? null : report.cleanMigrations());
  }

  private static Array uuids(Connection connection, Collection<MigrationId> ids)
      throws SQLException {
    return connection.createArrayOf("uuid", ids.stream().map(MigrationId::value).toArray());
  }

  private String writeReport(LeftoversSwept report) {
    try {
      // Jackson escapes NUL characters, which the json column takes; no need to clean.
      return mapper.writeValueAsString(report);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a sweep report as JSON", e);
    }
  }

  private LeftoversSwept readReport(String json) throws SQLException {
    try {
      return mapper.readValue(json, LeftoversSwept.class);
    } catch (JsonProcessingException e) {
      throw new SQLException("stored sweep report cannot be read: " + e.getOriginalMessage(), e);
    }
  }
}
