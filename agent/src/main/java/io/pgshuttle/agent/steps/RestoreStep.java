package io.pgshuttle.agent.steps;

import io.pgshuttle.agent.AgentConfig;
import io.pgshuttle.agent.pipeline.AttemptContext;
import io.pgshuttle.agent.pipeline.AttemptRecords;
import io.pgshuttle.agent.pipeline.NonRetryableStepException;
import io.pgshuttle.agent.pipeline.PipelineStep;
import io.pgshuttle.agent.pipeline.StepException;
import io.pgshuttle.agent.postgres.ConnInfo;
import io.pgshuttle.agent.postgres.DatabaseDefinition;
import io.pgshuttle.agent.postgres.DatabaseGrant;
import io.pgshuttle.agent.postgres.DatabaseSettings;
import io.pgshuttle.agent.postgres.Databases;
import io.pgshuttle.agent.postgres.GlobalsFilter;
import io.pgshuttle.agent.postgres.Jdbc;
import io.pgshuttle.agent.postgres.PgConnector;
import io.pgshuttle.agent.postgres.PgEndpoint;
import io.pgshuttle.agent.postgres.PgErrors;
import io.pgshuttle.agent.postgres.PgTools;
import io.pgshuttle.agent.postgres.Sql;
import io.pgshuttle.agent.postgres.ToolInvocation;
import io.pgshuttle.agent.postgres.ToolResult;
import io.pgshuttle.agent.transfer.TableHandoff;
import io.pgshuttle.agent.transfer.TableLoader;
import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.StepProgress;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * RESTORE: roles first, then each database into its staging database on the target.
 *
 * <p>Roles: the {@code pg_dumpall} output runs through psql in one transaction, without the
 * statements about roles the target has already (they are kept as they are). The roles it creates
 * are journaled before it runs, so that the rollback drops them.
 *
 * <p>Databases: a staging database left by an earlier attempt is dropped; the staging database is
 * created with the source's owner, encoding and locale (and journaled first), with a connection
 * limit of 0, so that no session but a superuser's can change it before CUTOVER sets the source's
 * limit; {@link TableLoader} fills it from what DUMP hands over through the attempt's {@link
 * TableHandoff}, as DUMP writes it (DUMP runs alongside); then the source's database-level settings
 * and its original privileges (saved before QUIESCE_SOURCE changed them) are applied. Progress is
 * tables loaded of all.
 *
 * <p>The compensation drops the journaled staging databases and roles. It needs the target
 * password, which is not on disk: after an agent restart it reports what it left, and the next
 * attempt finishes the rollback before its PREFLIGHT.
 */
public final class RestoreStep implements PipelineStep {
  static final String TARGET_GLOBALS_FILE = "globals-for-target.sql";

  private final AgentConfig config;
  private final PgConnector connector;
  private final PgTools tools;
  private final TableLoader loader;

  @Inject
  public RestoreStep(AgentConfig config, PgConnector connector, PgTools tools, TableLoader loader) {
    this.config = config;
    this.connector = connector;
    this.tools = tools;
    this.loader = loader;
  }

  @Override
  public Step name() {
    return Step.RESTORE;
  }

  @Override
  public void execute(AttemptContext context) throws StepException {
    PgEndpoint source = Endpoints.source(config);
    PgEndpoint target = Endpoints.target(context);
    MigrationPlan plan = JournalEntries.plan(context.journal());
    Path dump = JournalEntries.dumpDirectory(context.journal());
    TableHandoff handoff = context.shared(TableHandoff.class, TableHandoff::new);
    int rolesCreated =
        restoreRoles(context, target, dump, handoff.awaitGlobals(context.cancellation()));
    AtomicInteger tablesTotal = new AtomicInteger();
    AtomicInteger tablesDone = new AtomicInteger();
    Duration loading = Duration.ZERO;
    Duration indexesAfterLoading = Duration.ZERO;
    int indexes = 0;
    Duration rest = Duration.ZERO;
    try (Connection sourceConnection = connector.connectMaintenance(source);
        Connection targetConnection = connector.connectMaintenance(target)) {
      for (PlannedDatabase database : plan.databases()) {
        context.cancellation().throwIfCancelled();
        DatabaseDefinition definition =
            PgErrors.on(
                    source,
                    "reading database " + database.name(),
                    () -> Databases.definition(sourceConnection, database.name()))
                .orElseThrow(
                    () ->
                        new NonRetryableStepException(
                            "database "
                                + Sql.identifier(database.name())
                                + " was dropped from the source"));
        createStaging(context, target, targetConnection, database, definition);
        String detail = Texts.databaseOfPlan("restoring", database, plan);
        TableLoader.Result loaded =
            loader.load(
                new TableLoader.Request(
                    target,
                    database.index(),
                    database.stagingName(),
                    context.command().options().jobs(),
                    TableLoader.EARLY_INDEX_MIN_PAGES,
                    handoff,
                    tablesTotal::addAndGet,
                    () -> report(context, tablesDone.incrementAndGet(), tablesTotal.get(), detail)),
                context.cancellation());
        loading = loading.plus(loaded.waitingAndLoading());
        indexesAfterLoading = indexesAfterLoading.plus(loaded.indexesAfterLoading());
        indexes += loaded.indexes();
        rest = rest.plus(loaded.rest());
        List<String> settings =
            PgErrors.on(
                source,
                "reading the settings of " + database.name(),
                () -> settingStatements(sourceConnection, database));
        QuiescedDatabase original =
            JournalEntries.requireQuiesced(context.journal(), database.name());
        PgErrors.on(
            target,
            "applying the settings and privileges of " + database.stagingName(),
            () -> {
              applyDatabaseLevel(targetConnection, database, definition, original, settings);
              return null;
            });
      }
    } catch (SQLException e) {
      throw PgErrors.translate(target, "closing the connections", e);
    }
    AttemptRecords.recordSummary(
        context.journal(),
        Step.RESTORE,
        Texts.count(rolesCreated, "role")
            + " created, "
            + Texts.count(plan.databases().size(), "database")
            + " restored into staging databases "
            + Texts.quotedList(plan.databases().stream().map(PlannedDatabase::stagingName).toList())
            + " ("
            + Texts.count(tablesTotal.get(), "table")
            + String.format(
                Locale.ROOT,
                " loaded from files in %.1f s with the waits for DUMP; %s alongside, ending %.1f s"
                    + " after it; the rest of the schema dump %.1f s)",
                loading.toMillis() / 1000.0,
                Texts.count(indexes, "index build"),
                indexesAfterLoading.toMillis() / 1000.0,
                rest.toMillis() / 1000.0));
  }

  /** Restores the roles the target lacks; returns how many this run created. */
  private int restoreRoles(AttemptContext context, PgEndpoint target, Path dump, Path globalsDump)
      throws StepException {
    Set<String> existing;
    try (Connection connection = connector.connectMaintenance(target)) {
      existing =
          new HashSet<>(
              PgErrors.on(
                  target,
                  "listing the target's roles",
                  () ->
                      Jdbc.list(
                          connection, "SELECT rolname FROM pg_roles", row -> row.getString(1))));
    } catch (SQLException e) {
      throw PgErrors.translate(target, "closing the connection", e);
    }
    String globals;
    try {
      globals = Files.readString(globalsDump, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new NonRetryableStepException(
          "cannot read the dump of the roles: " + e.getMessage(), e);
    }
    GlobalsFilter.Result filtered = GlobalsFilter.filter(globals, existing);
    Set<String> ours =
        new LinkedHashSet<>(
            JournalEntries.strings(context.journal(), JournalEntries.CREATED_ROLES));
    ours.addAll(filtered.createdRoles());
    context.journal().put(JournalEntries.CREATED_ROLES, new ArrayList<>(ours));
    Path script = dump.resolve(TARGET_GLOBALS_FILE);
    try {
      Files.writeString(script, filtered.script(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new NonRetryableStepException(
          "cannot write " + script + " on the disk: " + e.getMessage(), e);
    }
    ToolResult result =
        tools.run(
            ToolInvocation.of(
                PgTools.PSQL,
                target,
                List.of(
                    "--no-psqlrc",
                    "--quiet",
                    "--set=ON_ERROR_STOP=1",
                    "--single-transaction",
                    "--file=" + script,
                    "--dbname=" + ConnInfo.of(target, PgConnector.MAINTENANCE_DATABASE))),
            context.cancellation());
    context.cancellation().throwIfCancelled();
    if (!result.succeeded()) {
      throw result.failure("restoring the roles on the target");
    }
    return filtered.createdRoles().size();
  }

  private static void createStaging(
      AttemptContext context,
      PgEndpoint target,
      Connection connection,
      PlannedDatabase database,
      DatabaseDefinition definition)
      throws StepException {
    PgErrors.on(
        target,
        "dropping the leftover staging database " + database.stagingName(),
        () -> {
          Databases.dropIfExists(connection, database.stagingName());
          return null;
        });
    JournalEntries.addString(
        context.journal(), JournalEntries.STAGING_DATABASES, database.stagingName());
    PgErrors.on(
        target,
        "creating the staging database " + database.stagingName(),
        () -> {
          // Closed to every session but a superuser's until CUTOVER sets the source's limit.
          Jdbc.execute(
              connection,
              definition.createStatement(database.stagingName()) + " CONNECTION LIMIT 0");
          return null;
        });
  }

  private static void report(AttemptContext context, int done, int total, String detail) {
    context
        .progress()
        .report(
            new StepProgress(
                Step.RESTORE,
                total == 0 ? null : 100.0 * done / total,
                null,
                null,
                done,
                total,
                detail));
  }

  /** One row of {@code pg_db_role_setting}: settings of a database, or of a role in it. */
  private record DatabaseRoleSettings(String role, String[] entries) {}

  /** The source's settings of the database, and of roles in it, as statements for staging. */
  private static List<String> settingStatements(Connection source, PlannedDatabase database)
      throws SQLException {
    List<String> statements = new ArrayList<>();
    for (DatabaseRoleSettings settings :
        Jdbc.list(
            source,
            "SELECT r.rolname, s.setconfig FROM pg_db_role_setting s"
                + " JOIN pg_database d ON d.oid = s.setdatabase"
                + " LEFT JOIN pg_roles r ON r.oid = s.setrole"
                + " WHERE d.datname = ? ORDER BY 1 NULLS FIRST",
            row ->
                new DatabaseRoleSettings(row.getString(1), (String[]) row.getArray(2).getArray()),
            database.name())) {
      for (String entry : settings.entries()) {
        statements.add(
            DatabaseSettings.alterStatement(database.stagingName(), settings.role(), entry));
      }
    }
    return statements;
  }

  private static void applyDatabaseLevel(
      Connection target,
      PlannedDatabase database,
      DatabaseDefinition definition,
      QuiescedDatabase original,
      List<String> settings)
      throws SQLException {
    String staging = database.stagingName();
    for (String statement : settings) {
      Jdbc.execute(target, statement);
    }
    if (!original.defaultAcl()) {
      Jdbc.execute(
          target,
          "REVOKE ALL ON DATABASE " + Sql.identifier(staging) + " FROM PUBLIC",
          "REVOKE ALL ON DATABASE "
              + Sql.identifier(staging)
              + " FROM "
              + Sql.identifier(definition.owner()));
      for (DatabaseGrant grant : original.grants()) {
        Jdbc.execute(target, grant.grantStatement(staging));
      }
    }
  }

  @Override
  public void compensate(AttemptContext context) throws StepException {
    List<String> staging =
        JournalEntries.strings(context.journal(), JournalEntries.STAGING_DATABASES);
    List<String> roles = JournalEntries.strings(context.journal(), JournalEntries.CREATED_ROLES);
    if (staging.isEmpty() && roles.isEmpty()) {
      return;
    }
    PgEndpoint target = Endpoints.target(context);
    List<String> leftovers = new ArrayList<>();
    staging.forEach(database -> leftovers.add("staging database " + Sql.identifier(database)));
    roles.forEach(role -> leftovers.add("role " + Sql.identifier(role)));
    try (Connection connection = TargetAccess.connectForRollback(connector, target, leftovers)) {
      for (String database : staging) {
        PgErrors.on(
            target,
            "dropping the staging database " + database,
            () -> {
              Databases.dropIfExists(connection, database);
              return null;
            });
        JournalEntries.removeString(context.journal(), JournalEntries.STAGING_DATABASES, database);
      }
      for (String role : roles) {
        PgErrors.on(
            target,
            "dropping role " + role,
            () -> {
              Jdbc.execute(connection, "DROP ROLE IF EXISTS " + Sql.identifier(role));
              return null;
            });
        JournalEntries.removeString(context.journal(), JournalEntries.CREATED_ROLES, role);
      }
    } catch (SQLException e) {
      throw PgErrors.translate(target, "closing the connection", e);
    }
  }
}
