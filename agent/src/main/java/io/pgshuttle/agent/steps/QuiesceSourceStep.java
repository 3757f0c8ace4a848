package io.pgshuttle.agent.steps;

import io.pgshuttle.agent.AgentConfig;
import io.pgshuttle.agent.pipeline.AttemptContext;
import io.pgshuttle.agent.pipeline.AttemptRecords;
import io.pgshuttle.agent.pipeline.NonRetryableStepException;
import io.pgshuttle.agent.pipeline.PipelineStep;
import io.pgshuttle.agent.pipeline.StepException;
import io.pgshuttle.agent.postgres.DatabaseDefinition;
import io.pgshuttle.agent.postgres.DatabaseGrant;
import io.pgshuttle.agent.postgres.Databases;
import io.pgshuttle.agent.postgres.Jdbc;
import io.pgshuttle.agent.postgres.PgConnector;
import io.pgshuttle.agent.postgres.PgEndpoint;
import io.pgshuttle.agent.postgres.PgErrors;
import io.pgshuttle.agent.postgres.Sql;
import io.pgshuttle.messages.Step;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * QUIESCE_SOURCE: closes the source databases to applications while the agent's superuser still
 * connects. Per database it first saves the connection limit and privileges in the journal, then
 * sets {@code CONNECTION LIMIT 0}, revokes CONNECT from PUBLIC and every non-superuser role that
 * has it, and ends those roles' sessions. It then ANALYZEs the tables written since their last
 * analysis, so that autovacuum has no reason to (its ANALYZE takes a transaction id, which VERIFY
 * would count as a transaction during the freeze), and records the freeze marker: WAL position,
 * next transaction id and write counters. The compensation restores the saved settings.
 */
public final class QuiesceSourceStep implements PipelineStep {
  private final AgentConfig config;
  private final PgConnector connector;

  @Inject
  public QuiesceSourceStep(AgentConfig config, PgConnector connector) {
    this.config = config;
    this.connector = connector;
  }

  @Override
  public Step name() {
    return Step.QUIESCE_SOURCE;
  }

  @Override
  public void execute(AttemptContext context) throws StepException {
    PgEndpoint source = Endpoints.source(config);
    MigrationPlan plan = JournalEntries.plan(context.journal());
    int sessionsEnded = 0;
    try (Connection connection = connector.connectMaintenance(source)) {
      for (PlannedDatabase database : plan.databases()) {
        sessionsEnded +=
            PgErrors.on(
                source,
                "closing database " + database.name(),
                () -> close(context, connection, database.name()));
      }
      Map<String, String> writes = new TreeMap<>();
      for (PlannedDatabase database : plan.databases()) {
        context.cancellation().throwIfCancelled();
        try (Connection inDatabase = connector.connect(source, database.name())) {
          writes.put(
              database.name(),
              PgErrors.on(
                  source,
                  "analyzing database " + database.name(),
                  () -> {
                    analyzeWrittenTables(inDatabase);
                    return FreezeMarker.userTableWrites(inDatabase);
                  }));
        }
      }
      FreezeMarker marker =
          PgErrors.on(
              source,
              "recording the freeze marker",
              () -> FreezeMarker.current(connection, writes));
      context.journal().put(JournalEntries.FREEZE, marker);
      AttemptRecords.recordSummary(
          context.journal(),
          Step.QUIESCE_SOURCE,
          Texts.count(plan.databases().size(), "database")
              + " closed to applications, "
              + Texts.count(sessionsEnded, "session")
              + " ended; frozen at WAL "
              + marker.walLsn()
              + ", next transaction "
              + marker.nextTransactionId());
    } catch (SQLException e) {
      throw PgErrors.translate(source, "closing the connections", e);
    }
  }

  /**
   * ANALYZEs the tables and materialized views of the database of {@code connection} that rows were
   * inserted into, updated or deleted from since their last analysis: only those could autovacuum
   * choose to analyze during the freeze. The others are not sampled again, which on a large
   * database read cold from disk saves most of the step's time.
   */
  static void analyzeWrittenTables(Connection connection) throws SQLException {
    if (Databases.serverVersion(connection).number() < 90400) {
      // No n_mod_since_analyze before 9.4.
      Jdbc.execute(connection, "ANALYZE");
      return;
    }
    List<String> written =
        Jdbc.list(
            connection,
            "SELECT format('%I.%I', s.schemaname, s.relname) FROM pg_stat_all_tables s"
                + " JOIN pg_class c ON c.oid = s.relid"
                + " WHERE s.n_mod_since_analyze > 0 AND c.relkind IN ('r', 'm')"
                + " AND c.relpersistence <> 't' ORDER BY 1",
            row -> row.getString(1));
    for (String table : written) {
      Jdbc.execute(connection, "ANALYZE " + table);
    }
  }

  /** Saves, then closes one database; returns how many sessions it ended. */
  private static int close(AttemptContext context, Connection connection, String name)
      throws SQLException, StepException {
    QuiescedDatabase saved = JournalEntries.quiesced(context.journal(), name).orElse(null);
    if (saved == null) {
      DatabaseDefinition definition =
          Databases.definition(connection, name)
              .orElseThrow(
                  () ->
                      new NonRetryableStepException(
                          "database " + Sql.identifier(name) + " was dropped from the source"));
      List<String> superusers = Databases.superusers(connection);
      List<DatabaseGrant> revoked =
          definition.grants().stream()
              .filter(grant -> grant.privilege().equals("CONNECT"))
              .filter(grant -> grant.isPublic() || !superusers.contains(grant.grantee()))
              .toList();
      saved =
          new QuiescedDatabase(
              name,
              definition.connectionLimit(),
              definition.defaultAcl(),
              definition.grants(),
              revoked);
      List<QuiescedDatabase> all = new ArrayList<>(JournalEntries.quiesced(context.journal()));
      all.add(saved);
      context.journal().put(JournalEntries.QUIESCED, all);
    }
    Jdbc.execute(connection, "ALTER DATABASE " + Sql.identifier(name) + " CONNECTION LIMIT 0");
    for (DatabaseGrant grant : saved.revokedConnect()) {
      Jdbc.execute(connection, grant.revokeStatement(name));
    }
    return Databases.terminateSessions(connection, name, false);
  }

  @Override
  public void compensate(AttemptContext context) throws StepException {
    SourceLock.reopen(connector, Endpoints.source(config), context.journal());
  }
}
