package io.pgshuttle.agent.steps;

import io.pgshuttle.agent.AgentConfig;
import io.pgshuttle.agent.pipeline.AttemptContext;
import io.pgshuttle.agent.pipeline.AttemptRecords;
import io.pgshuttle.agent.pipeline.NonRetryableStepException;
import io.pgshuttle.agent.pipeline.PipelineStep;
import io.pgshuttle.agent.pipeline.StepException;
import io.pgshuttle.agent.postgres.ConnInfo;
import io.pgshuttle.agent.postgres.PgConnector;
import io.pgshuttle.agent.postgres.PgEndpoint;
import io.pgshuttle.agent.postgres.PgErrors;
import io.pgshuttle.agent.postgres.PgTools;
import io.pgshuttle.agent.postgres.Sql;
import io.pgshuttle.agent.postgres.ToolInvocation;
import io.pgshuttle.agent.postgres.ToolResult;
import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.StepProgress;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.List;

/**
 * DUMP: writes {@code pg_dumpall --globals-only} (roles, without tablespaces) and a {@code pg_dump
 * -Fd -j N} directory per database (named by its plan index) onto the disk, compressed or not as
 * {@link DumpCompression} measures it pays on this disk. Progress is the bytes on the disk against
 * the source's size. A rerun starts the dump over. Nothing to compensate: the dump goes with the
 * disk.
 */
public final class DumpStep implements PipelineStep {
  static final String GLOBALS_FILE = "globals.sql";

  private final AgentConfig config;
  private final PgTools tools;
  private final PgConnector connector;

  @Inject
  public DumpStep(AgentConfig config, PgTools tools, PgConnector connector) {
    this.config = config;
    this.tools = tools;
    this.connector = connector;
  }

  @Override
  public Step name() {
    return Step.DUMP;
  }

  @Override
  public void execute(AttemptContext context) throws StepException {
    PgEndpoint source = Endpoints.source(config);
    MigrationPlan plan = JournalEntries.plan(context.journal());
    Path dump = JournalEntries.dumpDirectory(context.journal());
    try {
      Files.deleteIfExists(dump.resolve(GLOBALS_FILE));
      for (PlannedDatabase database : plan.databases()) {
        FileTrees.delete(dump.resolve(database.dumpDirectoryName()));
      }
      Files.createDirectories(dump);
    } catch (IOException e) {
      throw new NonRetryableStepException(
          "cannot prepare the dump directory " + dump + ": " + e.getMessage(), e);
    }
    run(
        context,
        ToolInvocation.of(
            PgTools.PG_DUMPALL,
            source,
            List.of(
                "--globals-only",
                "--no-tablespaces",
                "--file=" + dump.resolve(GLOBALS_FILE),
                "--dbname=" + ConnInfo.of(source, PgConnector.MAINTENANCE_DATABASE))),
        "dumping the roles");
    int jobs = context.command().options().jobs();
    DumpCompression.Choice compression = chooseCompression(source, plan, dump, jobs);
    for (PlannedDatabase database : plan.databases()) {
      String detail =
          "dumping "
              + Sql.identifier(database.name())
              + " ("
              + database.index()
              + " of "
              + plan.databases().size()
              + ")";
      run(
          context,
          ToolInvocation.of(
                  PgTools.PG_DUMP,
                  source,
                  List.of(
                      "--format=directory",
                      "--jobs=" + jobs,
                      "--compress=" + compression.level(),
                      "--file=" + dump.resolve(database.dumpDirectoryName()),
                      "--dbname=" + ConnInfo.of(source, database.name())))
              .every(config.progressInterval(), () -> report(context, dump, plan, detail)),
          "pg_dump of database " + Sql.identifier(database.name()));
    }
    AttemptRecords.recordSummary(
        context.journal(),
        Step.DUMP,
        "roles and "
            + Texts.count(plan.databases().size(), "database")
            + ", "
            + Texts.bytes(FileTrees.size(dump))
            + " on the disk, "
            + compression.text(jobs));
  }

  /** Measures, on the largest database of the plan, whether compressing pays on this disk. */
  private DumpCompression.Choice chooseCompression(
      PgEndpoint source, MigrationPlan plan, Path dump, int jobs) throws StepException {
    PlannedDatabase largest =
        plan.databases().stream()
            .max(Comparator.comparingLong(PlannedDatabase::sizeBytes))
            .orElseThrow();
    try (Connection connection = connector.connect(source, largest.name())) {
      return PgErrors.on(
          source,
          "sampling " + Sql.identifier(largest.name()) + " to choose the dump's compression",
          () -> {
            try {
              return DumpCompression.choose(connection, dump, jobs);
            } catch (IOException e) {
              throw new NonRetryableStepException(
                  "cannot write on the disk at " + dump + ": " + e.getMessage(), e);
            }
          });
    } catch (SQLException e) {
      throw PgErrors.translate(source, "closing the connection", e);
    }
  }

  private void run(AttemptContext context, ToolInvocation invocation, String action)
      throws StepException {
    ToolResult result = tools.run(invocation, context.cancellation());
    context.cancellation().throwIfCancelled();
    if (!result.succeeded()) {
      throw result.failure(action);
    }
  }

  private static void report(AttemptContext context, Path dump, MigrationPlan plan, String detail) {
    long written = FileTrees.size(dump);
    long total = Math.max(1, plan.totalBytes());
    context
        .progress()
        .report(
            new StepProgress(
                Step.DUMP,
                Math.min(100.0, 100.0 * written / total),
                written,
                plan.totalBytes(),
                null,
                null,
                detail));
  }
}
