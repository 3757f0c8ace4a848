package io.pgshuttle.agent.steps;

import io.pgshuttle.agent.AgentConfig;
import io.pgshuttle.agent.pipeline.AttemptContext;
import io.pgshuttle.agent.pipeline.AttemptRecords;
import io.pgshuttle.agent.pipeline.NonRetryableStepException;
import io.pgshuttle.agent.pipeline.PipelineStep;
import io.pgshuttle.agent.pipeline.StepException;
import io.pgshuttle.agent.postgres.Databases;
import io.pgshuttle.agent.postgres.Jdbc;
import io.pgshuttle.agent.postgres.PgConnector;
import io.pgshuttle.agent.postgres.PgEndpoint;
import io.pgshuttle.agent.postgres.PgErrors;
import io.pgshuttle.agent.postgres.PgTools;
import io.pgshuttle.agent.postgres.PgVersion;
import io.pgshuttle.agent.postgres.Sql;
import io.pgshuttle.messages.Step;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * PREFLIGHT: checks everything that would make the attempt fail for a reason a person must fix,
 * before anything changes: both servers reachable as superusers, the databases exist on the source
 * and not on the target, {@code pg_dump} is at least the source's major version and the source not
 * newer than the target, the target offers the source's extensions. Records the plan (databases,
 * sizes, staging names). Changes nothing, so it has nothing to compensate.
 */
public final class PreflightStep implements PipelineStep {
  private final AgentConfig config;
  private final PgConnector connector;
  private final PgTools tools;

  @Inject
  public PreflightStep(AgentConfig config, PgConnector connector, PgTools tools) {
    this.config = config;
    this.connector = connector;
    this.tools = tools;
  }

  @Override
  public Step name() {
    return Step.PREFLIGHT;
  }

  @Override
  public void execute(AttemptContext context) throws StepException {
    PgEndpoint source = Endpoints.source(config);
    PgEndpoint target = Endpoints.target(context);
    try (Connection sourceConnection = connector.connectMaintenance(source);
        Connection targetConnection = connector.connectMaintenance(target)) {
      PgVersion sourceVersion =
          PgErrors.on(
              source,
              "checking the source",
              () -> {
                requireSuperuser(source, sourceConnection);
                requirePrimary(source, sourceConnection);
                return Databases.serverVersion(sourceConnection);
              });
      PgVersion targetVersion =
          PgErrors.on(
              target,
              "checking the target",
              () -> {
                requireSuperuser(target, targetConnection);
                return Databases.serverVersion(targetConnection);
              });
      List<String> databases =
          PgErrors.on(
              source,
              "listing the source's databases",
              () -> databases(sourceConnection, context.command().databases()));
      requireTools(sourceVersion, targetVersion, target);
      PgErrors.on(
          target,
          "looking for the databases on the target",
          () -> requireAbsentOnTarget(target, targetConnection, databases));
      Map<String, String> available =
          PgErrors.on(
              target, "listing the target's extensions", () -> extensions(targetConnection));
      for (String database : databases) {
        PgErrors.on(
            source,
            "listing the extensions of " + database,
            () -> requireExtensions(source, database, available));
      }
      MigrationPlan plan =
          PgErrors.on(
              source, "measuring the databases", () -> plan(context, sourceConnection, databases));
      context.journal().put(JournalEntries.PLAN, plan);
      AttemptRecords.recordSummary(
          context.journal(),
          Step.PREFLIGHT,
          Texts.count(plan.databases().size(), "database")
              + " ("
              + Texts.quotedList(plan.names())
              + "), "
              + Texts.bytes(plan.totalBytes())
              + " on the source");
    } catch (SQLException e) {
      throw PgErrors.translate(source, "closing the connections", e);
    }
  }

  private void requireTools(PgVersion sourceVersion, PgVersion targetVersion, PgEndpoint target)
      throws StepException {
    PgVersion dumpVersion = tools.version(PgTools.PG_DUMP);
    if (dumpVersion.compareTo(sourceVersion) < 0) {
      throw new NonRetryableStepException(
          "pg_dump "
              + dumpVersion
              + " is older than the source server "
              + sourceVersion
              + ": set PGSHUTTLE_PG_BINDIR to PostgreSQL "
              + sourceVersion
              + " or newer tools");
    }
    if (sourceVersion.compareTo(targetVersion) > 0) {
      throw new NonRetryableStepException(
          "the source server "
              + sourceVersion
              + " is newer than the target server "
              + targetVersion
              + " at "
              + target.address()
              + ": migrate into PostgreSQL "
              + sourceVersion
              + " or newer");
    }
    for (String tool : List.of(PgTools.PG_DUMPALL, PgTools.PG_RESTORE, PgTools.PSQL)) {
      tools.binary(tool);
    }
  }

  private static MigrationPlan plan(
      AttemptContext context, Connection source, List<String> databases) throws SQLException {
    List<PlannedDatabase> planned = new ArrayList<>();
    long total = 0;
    for (String database : databases) {
      long size =
          Jdbc.first(source, "SELECT pg_database_size(?::name)", row -> row.getLong(1), database)
              .orElseThrow();
      int index = planned.size() + 1;
      planned.add(
          new PlannedDatabase(
              index, database, PlannedDatabase.stagingName(context.migrationId(), index), size));
      total += size;
    }
    return new MigrationPlan(planned, total);
  }

  private static void requirePrimary(PgEndpoint source, Connection connection)
      throws SQLException, NonRetryableStepException {
    if (Jdbc.first(connection, "SELECT pg_is_in_recovery()", row -> row.getBoolean(1))
        .orElseThrow()) {
      throw new NonRetryableStepException(
          "the source at "
              + source.address()
              + " is a standby: point PGSHUTTLE_SOURCE_URL at the primary");
    }
  }

  private static void requireSuperuser(PgEndpoint server, Connection connection)
      throws SQLException, NonRetryableStepException {
    boolean superuser =
        Jdbc.first(
                connection,
                "SELECT rolsuper FROM pg_roles WHERE rolname = current_user",
                row -> row.getBoolean(1))
            .orElse(false);
    if (!superuser) {
      throw new NonRetryableStepException(
          "user "
              + server.user()
              + " on the "
              + server.role()
              + " at "
              + server.address()
              + " is not a superuser: migrating roles and databases needs one");
    }
  }

  /** The databases to move: those named, or every non-template database but postgres. */
  private static List<String> databases(Connection source, List<String> requested)
      throws SQLException, NonRetryableStepException {
    if (requested.isEmpty()) {
      List<String> all =
          Jdbc.list(
              source,
              "SELECT datname FROM pg_database WHERE NOT datistemplate AND datallowconn"
                  + " AND datname <> 'postgres' ORDER BY datname",
              row -> row.getString(1));
      if (all.isEmpty()) {
        throw new NonRetryableStepException(
            "the source has no database to migrate besides postgres and the templates");
      }
      return all;
    }
    List<String> missing = new ArrayList<>();
    for (String database : requested) {
      boolean connectable =
          Jdbc.first(
                  source,
                  "SELECT datallowconn AND NOT datistemplate FROM pg_database WHERE datname = ?",
                  row -> row.getBoolean(1),
                  database)
              .orElse(false);
      if (!connectable) {
        missing.add(database);
      }
    }
    if (!missing.isEmpty()) {
      throw new NonRetryableStepException(
          "database "
              + Texts.quotedList(missing)
              + (missing.size() == 1 ? " does" : " do")
              + " not exist on the source (or cannot be connected to):"
              + " correct the databases of the request");
    }
    return requested;
  }

  private static Void requireAbsentOnTarget(
      PgEndpoint target, Connection connection, List<String> databases)
      throws SQLException, NonRetryableStepException {
    List<String> existing =
        Jdbc.list(
            connection,
            "SELECT datname FROM pg_database WHERE datname = ANY (?) ORDER BY datname",
            row -> row.getString(1),
            connection.createArrayOf("text", databases.toArray()));
    if (!existing.isEmpty()) {
      throw new NonRetryableStepException(
          "database "
              + Texts.quotedList(existing)
              + (existing.size() == 1 ? " exists" : " exist")
              + " on the target at "
              + target.address()
              + " already: drop it there or leave it out of the request");
    }
    return null;
  }

  /** Version by name of the extensions the target can install. */
  private static Map<String, String> extensions(Connection target) throws SQLException {
    Map<String, String> available = new HashMap<>();
    for (List<String> extension :
        Jdbc.list(
            target,
            "SELECT name, default_version FROM pg_available_extensions",
            row -> List.of(row.getString(1), row.getString(2)))) {
      available.put(extension.get(0), extension.get(1));
    }
    return available;
  }

  /** The extensions of {@code database} must be installable on the target, same version. */
  private Void requireExtensions(PgEndpoint source, String database, Map<String, String> available)
      throws SQLException, StepException {
    try (Connection connection = connector.connect(source, database)) {
      for (List<String> extension :
          Jdbc.list(
              connection,
              "SELECT extname, extversion FROM pg_extension ORDER BY 1",
              row -> List.of(row.getString(1), row.getString(2)))) {
        String name = extension.get(0);
        String version = extension.get(1);
        if (!available.containsKey(name)) {
          throw new NonRetryableStepException(
              "extension "
                  + name
                  + " of database "
                  + Sql.identifier(database)
                  + " is not available on the target: install it there");
        }
        if (!available.get(name).equals(version)) {
          throw new NonRetryableStepException(
              "extension "
                  + name
                  + " is version "
                  + version
                  + " in database "
                  + Sql.identifier(database)
                  + " but the target would install version "
                  + available.get(name)
                  + ": update it on the source (ALTER EXTENSION "
                  + name
                  + " UPDATE) or offer version "
                  + version
                  + " on the target");
        }
      }
    }
    return null;
  }
}
