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
import io.pgshuttle.agent.postgres.PgTools;
import io.pgshuttle.agent.postgres.ToolInvocation;
import io.pgshuttle.agent.postgres.ToolResult;
import io.pgshuttle.agent.transfer.DumpLayout;
import io.pgshuttle.agent.transfer.Manifest;
import io.pgshuttle.agent.transfer.PartPlanner;
import io.pgshuttle.agent.transfer.TableDumper;
import io.pgshuttle.agent.transfer.TableHandoff;
import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.StepProgress;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * DUMP: writes {@code pg_dumpall --globals-only} (roles, without tablespaces) and, per database (in
 * a directory named by its plan index), a schema dump and one COPY text file per table or range of
 * a table, from one snapshot, with a manifest of each file's rows and checksum (see {@link
 * TableDumper}, {@link DumpLayout}). Runs alongside RESTORE, which takes each file through the
 * attempt's {@link TableHandoff} as soon as it is complete. Journals the checksums for VERIFY.
 * Progress is the bytes on the disk against the source's size. A rerun starts the dump over.
 * Nothing to compensate: the dump goes with the disk.
 */
public final class DumpStep implements PipelineStep {
  static final String GLOBALS_FILE = "globals.sql";

  private final AgentConfig config;
  private final PgTools tools;
  private final TableDumper dumper;

  @Inject
  public DumpStep(AgentConfig config, PgTools tools, TableDumper dumper) {
    this.config = config;
    this.tools = tools;
    this.dumper = dumper;
  }

  @Override
  public Step name() {
    return Step.DUMP;
  }

  @Override
  public boolean runsAlongsideNext() {
    return true;
  }

  @Override
  public void execute(AttemptContext context) throws StepException {
    // A failure here reaches RESTORE through the runner, which stops it naming DUMP as the cause:
    // failing the handoff too would race that and could make RESTORE's stop the attempt's error.
    dump(context, context.shared(TableHandoff.class, TableHandoff::new));
  }

  private void dump(AttemptContext context, TableHandoff handoff) throws StepException {
    PgEndpoint source = Endpoints.source(config);
    MigrationPlan plan = JournalEntries.plan(context.journal());
    Path dump = JournalEntries.dumpDirectory(context.journal());
    context.journal().remove(JournalEntries.DUMP_CHECKSUMS);
    try {
      Files.deleteIfExists(dump.resolve(GLOBALS_FILE));
      for (PlannedDatabase database : plan.databases()) {
        handoff.restart(database.index());
        FileTrees.delete(dump.resolve(database.dumpDirectoryName()));
      }
      Files.createDirectories(dump);
      Files.writeString(
          dump.resolve(DumpLayout.BY_HAND_FILE), DumpLayout.BY_HAND, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new NonRetryableStepException(
          "cannot prepare the dump directory " + dump + ": " + e.getMessage(), e);
    }
    ToolResult globals =
        tools.run(
            ToolInvocation.of(
                PgTools.PG_DUMPALL,
                source,
                List.of(
                    "--globals-only",
                    "--no-tablespaces",
                    "--file=" + dump.resolve(GLOBALS_FILE),
                    "--dbname=" + ConnInfo.of(source, PgConnector.MAINTENANCE_DATABASE))),
            context.cancellation());
    context.cancellation().throwIfCancelled();
    if (!globals.succeeded()) {
      throw globals.failure("dumping the roles");
    }
    handoff.globalsReady(dump.resolve(GLOBALS_FILE));
    int jobs = context.command().options().jobs();
    AtomicLong written = new AtomicLong();
    List<DatabaseChecksums> checksums = new ArrayList<>();
    int tables = 0;
    int files = 0;
    int tablesInSchemaDumps = 0;
    for (PlannedDatabase database : plan.databases()) {
      String detail = Texts.databaseOfPlan("dumping", database, plan);
      TableDumper.Dumped dumped =
          dumper.dump(
              new TableDumper.Request(
                  source,
                  database.index(),
                  database.name(),
                  dump.resolve(database.dumpDirectoryName()),
                  jobs,
                  PartPlanner.PAGES_PER_PART,
                  TableDumper.MAX_TABLES,
                  handoff,
                  file -> report(context, written.addAndGet(sizeOf(file.path())), plan, detail)),
              context.cancellation());
      Manifest manifest = dumped.manifest();
      checksums.add(new DatabaseChecksums(database.name(), manifest.checksums()));
      tables += manifest.tables().size();
      files += manifest.tables().stream().mapToInt(table -> table.files().size()).sum();
      tablesInSchemaDumps += dumped.tablesInSchemaDump();
    }
    context.journal().put(JournalEntries.DUMP_CHECKSUMS, checksums);
    AttemptRecords.recordSummary(
        context.journal(),
        Step.DUMP,
        "roles and "
            + Texts.count(plan.databases().size(), "database")
            + " ("
            + Texts.count(tables, "table")
            + " in "
            + Texts.count(files, "file")
            + " of COPY text, from "
            + jobs
            + " sessions on one snapshot"
            + (tablesInSchemaDumps == 0
                ? ""
                : ", and "
                    + Texts.count(tablesInSchemaDumps, "smaller table")
                    + " with their rows in "
                    + DumpLayout.SCHEMA_FILE)
            + "), "
            + Texts.bytes(FileTrees.size(dump))
            + " on the disk, uncompressed");
  }

  private static long sizeOf(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      // Only the progress figure misses it; the file is read again by RESTORE, which would fail.
      return 0;
    }
  }

  private static void report(
      AttemptContext context, long written, MigrationPlan plan, String detail) {
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
