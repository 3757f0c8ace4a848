package io.pgshuttle.agent.steps;

import io.pgshuttle.agent.pipeline.AttemptContext;
import io.pgshuttle.agent.pipeline.AttemptRecords;
import io.pgshuttle.agent.pipeline.PipelineStep;
import io.pgshuttle.agent.pipeline.StepException;
import io.pgshuttle.agent.postgres.Databases;
import io.pgshuttle.agent.postgres.Jdbc;
import io.pgshuttle.agent.postgres.PgConnector;
import io.pgshuttle.agent.postgres.PgEndpoint;
import io.pgshuttle.agent.postgres.PgErrors;
import io.pgshuttle.agent.postgres.Sql;
import io.pgshuttle.faults.Breakpoints;
import io.pgshuttle.messages.Step;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * CUTOVER: renames every staging database to its final name and sets the source's connection limit
 * on it (RESTORE left it at 0), all in one transaction, so the target shows either all databases of
 * the migration, open, or none. The renames are journaled before they run; the compensation renames
 * back those that are done, closing them again. An agent killed after the commit cannot do that
 * without the target password; the next attempt does it before its PREFLIGHT.
 */
public final class CutoverStep implements PipelineStep {
  /** Breakpoint after the first rename, before the transaction commits. */
  public static final String BREAKPOINT_BETWEEN_RENAMES = "cutover-between-renames";

  /** Breakpoint after the transaction committed, before the step is journaled as finished. */
  public static final String BREAKPOINT_COMMITTED = "cutover-committed";

  private final PgConnector connector;
  private final Breakpoints breakpoints;

  @Inject
  public CutoverStep(PgConnector connector, Breakpoints breakpoints) {
    this.connector = connector;
    this.breakpoints = breakpoints;
  }

  @Override
  public Step name() {
    return Step.CUTOVER;
  }

  @Override
  public void execute(AttemptContext context) throws StepException {
    PgEndpoint target = Endpoints.target(context);
    MigrationPlan plan = JournalEntries.plan(context.journal());
    List<Rename> renames = new ArrayList<>();
    for (PlannedDatabase database : plan.databases()) {
      QuiescedDatabase original =
          JournalEntries.requireQuiesced(context.journal(), database.name());
      renames.add(new Rename(database.stagingName(), database.name(), original.connectionLimit()));
    }
    context.journal().put(JournalEntries.RENAMES, renames);
    try (Connection connection = connector.connectMaintenance(target)) {
      PgErrors.on(
          target,
          "renaming the staging databases",
          () -> {
            renameAll(connection, renames, breakpoints);
            return null;
          });
    } catch (SQLException e) {
      throw PgErrors.translate(target, "closing the connection", e);
    }
    AttemptRecords.recordDatabases(context.journal(), plan.names());
    AttemptRecords.recordSummary(
        context.journal(),
        Step.CUTOVER,
        "renamed "
            + String.join(
                ", ",
                renames.stream()
                    .map(
                        rename ->
                            Sql.identifier(rename.from()) + " to " + Sql.identifier(rename.to()))
                    .toList()));
  }

  /** Renames each database that is not renamed yet, in one transaction. */
  private static void renameAll(
      Connection connection, List<Rename> renames, Breakpoints breakpoints) throws SQLException {
    List<Rename> pending = new ArrayList<>();
    for (Rename rename : renames) {
      if (Databases.exists(connection, rename.from())) {
        pending.add(rename);
        Databases.terminateSessions(connection, rename.from(), true);
      }
    }
    if (pending.isEmpty()) {
      return;
    }
    connection.setAutoCommit(false);
    try {
      for (Rename rename : pending) {
        Jdbc.execute(
            connection,
            "ALTER DATABASE "
                + Sql.identifier(rename.from())
                + " RENAME TO "
                + Sql.identifier(rename.to()),
            "ALTER DATABASE "
                + Sql.identifier(rename.to())
                + " CONNECTION LIMIT "
                + rename.connectionLimit());
        breakpoints.reach(BREAKPOINT_BETWEEN_RENAMES);
      }
      connection.commit();
      breakpoints.reach(BREAKPOINT_COMMITTED);
    } catch (SQLException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(true);
    }
  }

  @Override
  public void compensate(AttemptContext context) throws StepException {
    List<Rename> renames =
        context
            .journal()
            .get(JournalEntries.RENAMES, Rename[].class)
            .map(Arrays::asList)
            .orElse(List.of());
    if (renames.isEmpty()) {
      return;
    }
    PgEndpoint target = Endpoints.target(context);
    List<String> leftovers =
        renames.stream().map(rename -> "database " + Sql.identifier(rename.to())).toList();
    try (Connection connection = TargetAccess.connectForRollback(connector, target, leftovers)) {
      List<Rename> back =
          renames.stream().map(rename -> new Rename(rename.to(), rename.from(), 0)).toList();
      PgErrors.on(
          target,
          "renaming the databases back",
          () -> {
            List<Rename> done = new ArrayList<>();
            for (Rename rename : back) {
              if (!Databases.exists(connection, rename.to())) {
                done.add(rename);
              }
            }
            renameAll(connection, done, Breakpoints.none());
            return null;
          });
      context.journal().remove(JournalEntries.RENAMES);
    } catch (SQLException e) {
      throw PgErrors.translate(target, "closing the connection", e);
    }
  }
}
