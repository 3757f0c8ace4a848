package io.pgshuttle.agent.transfer;

import io.pgshuttle.agent.pipeline.Cancellation;
import io.pgshuttle.agent.pipeline.NonRetryableStepException;
import io.pgshuttle.agent.pipeline.StepException;
import io.pgshuttle.agent.postgres.ConnInfo;
import io.pgshuttle.agent.postgres.Jdbc;
import io.pgshuttle.agent.postgres.PgConnector;
import io.pgshuttle.agent.postgres.PgEndpoint;
import io.pgshuttle.agent.postgres.PgErrors;
import io.pgshuttle.agent.postgres.PgTools;
import io.pgshuttle.agent.postgres.Sql;
import io.pgshuttle.agent.postgres.ToolInvocation;
import io.pgshuttle.agent.postgres.ToolResult;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntConsumer;

/**
 * Restores one database's dump into its (empty) staging database as DUMP hands it over: {@code
 * pg_restore --section=pre-data} once the schema dump is there, then {@code jobs} load workers
 * loading each table file as it comes (a table in one file truncated and loaded frozen in one
 * transaction, so later reads write no hint bits) and, beside them, {@code jobs} index workers
 * building each large table's indexes and primary key, unique and exclusion constraints as soon as
 * its last file is in (one {@code pg_restore --use-list} per index, so that two indexes of one
 * large table build at once; a primary key or unique constraint index first on a session of the
 * worker's, {@link TableIndex.IndexFirst}), then {@code pg_restore -j N --section=data
 * --section=post-data} of what is left ({@link IndexPlan}). Stateless and thread-safe.
 */
public final class TableLoader {
  /**
   * 32 MiB: below it an index builds in about the time one {@code pg_restore} takes to start (70
   * ms), so a small table's indexes go to the final pass, where one process builds them all.
   */
  public static final long EARLY_INDEX_MIN_PAGES = 4096;

  private final PgConnector connector;
  private final PgTools tools;

  @Inject
  public TableLoader(PgConnector connector, PgTools tools) {
    this.connector = connector;
    this.tools = tools;
  }

  /**
   * What to restore and where.
   *
   * @param index the database's plan index in the handoff
   * @param staging the staging database, created and empty
   * @param jobs workers loading files, and {@code pg_restore}'s jobs
   * @param tablesKnown sees the number of tables once the schema is there
   * @param earlyIndexMinPages the size on the source from which a table's indexes are built as soon
   *     as it is loaded ({@link #EARLY_INDEX_MIN_PAGES}); a smaller table's are left to the final
   *     pass
   * @param tableLoaded sees each table once all its files are loaded (from a worker thread)
   */
  public record Request(
      PgEndpoint target,
      int index,
      String staging,
      int jobs,
      long earlyIndexMinPages,
      TableHandoff handoff,
      IntConsumer tablesKnown,
      Runnable tableLoaded) {}

  /**
   * How long a restore's phases took.
   *
   * @param waitingAndLoading from the end of the pre-data until the last file was loaded, waits for
   *     DUMP included; indexes were built meanwhile
   * @param indexesAfterLoading from then until the last index was built
   * @param indexes how many indexes and constraints were built as their tables were loaded
   * @param rest what was left of the data and post-data sections of the schema dump
   */
  public record Result(
      Duration waitingAndLoading, Duration indexesAfterLoading, int indexes, Duration rest) {}

  /** Restores the database. */
  public Result load(Request request, Cancellation cancellation) throws StepException {
    TableHandoff.Schema schema = request.handoff().awaitSchema(request.index(), cancellation);
    request.tablesKnown().accept(schema.tables());
    restore(
        request,
        schema,
        List.of("--section=pre-data"),
        "pg_restore --section=pre-data",
        cancellation);
    IndexPlan plan = IndexPlan.of(list(request, schema, cancellation), schema.indexes());
    long loadStarted = System.nanoTime();
    Map<String, Integer> filesLoaded = new ConcurrentHashMap<>();
    Set<Integer> built = ConcurrentHashMap.newKeySet();
    IndexQueue queue = new IndexQueue(request.jobs());
    Workers workers = new Workers();
    // A worker waiting for DUMP or for an index to build, or running pg_restore, stops as soon as
    // another one fails.
    Cancellation stoppable = workers.stoppable(cancellation);
    List<Workers.Task> tasks = new ArrayList<>();
    for (int i = 0; i < request.jobs(); i++) {
      tasks.add(
          () -> {
            loadFiles(request, schema.encoding(), filesLoaded, plan, queue, workers, stoppable);
            queue.loaderDone();
          });
      tasks.add(() -> buildIndexes(request, schema, queue, built, workers, stoppable));
    }
    workers.run("pgshuttle-restore", tasks, cancellation);
    long restStarted = System.nanoTime();
    withList(
        plan.rest(built),
        list ->
            restore(
                request,
                schema,
                List.of(
                    "--jobs=" + request.jobs(),
                    "--section=data",
                    "--section=post-data",
                    "--use-list=" + list),
                "pg_restore --section=data --section=post-data of what the index workers left",
                cancellation));
    return new Result(
        Duration.ofNanos(queue.allLoaded() - loadStarted),
        Duration.ofNanos(restStarted - queue.allLoaded()),
        built.size(),
        Duration.ofNanos(System.nanoTime() - restStarted));
  }

  /** The schema dump's table of contents, {@code pg_restore --list}. */
  private String list(Request request, TableHandoff.Schema schema, Cancellation cancellation)
      throws StepException {
    ToolResult result =
        tools.run(
            ToolInvocation.of(
                    PgTools.PG_RESTORE,
                    request.target(),
                    List.of("--list", schema.schemaDump().toString()))
                .capturingStdout(),
            cancellation);
    cancellation.throwIfCancelled();
    if (!result.succeeded()) {
      throw result.failure("pg_restore --list of " + schema.schemaDump());
    }
    return result.stdout();
  }

  /** Builds indexes as their tables are loaded, until none is left. */
  private void buildIndexes(
      Request request,
      TableHandoff.Schema schema,
      IndexQueue queue,
      Set<Integer> built,
      Workers workers,
      Cancellation cancellation)
      throws StepException {
    Connection session = null;
    try {
      Optional<IndexPlan.Build> next;
      while ((next = queue.take(cancellation)).isPresent()) {
        IndexPlan.Build build = next.get();
        TableIndex.IndexFirst indexFirst = build.index().indexFirst();
        if (indexFirst == null) {
          withList(
              build.line() + "\n",
              list ->
                  restore(
                      request,
                      schema,
                      List.of("--use-list=" + list),
                      "building " + build.index().describe(),
                      cancellation));
        } else {
          if (session == null) {
            session = workers.copySession(connector, request.target(), request.staging());
          }
          Connection connection = session;
          PgErrors.on(
              request.target(),
              "building " + build.index().describe() + " in " + request.staging(),
              () -> {
                Jdbc.execute(connection, indexFirst.createIndex(), indexFirst.addConstraint());
                return null;
              });
        }
        built.add(build.dumpId());
        queue.done(build);
      }
    } finally {
      if (session != null) {
        workers.unregister(session);
        Workers.closeQuietly(session);
      }
    }
  }

  /** Something to run with a {@code pg_restore --use-list} file. */
  private interface ListUser {
    void run(Path list) throws StepException;
  }

  /** Runs {@code user} with a temporary file holding {@code list}. */
  private static void withList(String list, ListUser user) throws StepException {
    Path file;
    try {
      file = Files.createTempFile("pgshuttle-restore-", ".list");
      Files.writeString(file, list, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new NonRetryableStepException(
          "cannot write a pg_restore list into the temporary directory: " + e.getMessage(), e);
    }
    try {
      user.run(file);
    } finally {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        // A few bytes of a table of contents left in the temporary directory.
      }
    }
  }

  private void loadFiles(
      Request request,
      String encoding,
      Map<String, Integer> filesLoaded,
      IndexPlan plan,
      IndexQueue queue,
      Workers workers,
      Cancellation cancellation)
      throws StepException {
    PgEndpoint target = request.target();
    try (Connection connection = workers.copySession(connector, target, request.staging())) {
      Optional<DumpedFile> next;
      while (!workers.stopped()
          && (next = request.handoff().next(request.index(), cancellation)).isPresent()) {
        DumpedFile file = next.get();
        CopyTable table = file.part().table();
        try {
          PgErrors.on(
              target,
              "loading " + file.path() + " into " + table.qualified() + " of " + request.staging(),
              () -> {
                loadFile(connection, file, encoding);
                return null;
              });
          if (filesLoaded.merge(table.qualified(), 1, Integer::sum) < file.part().parts()) {
            continue;
          }
        } catch (UncheckedIOException e) {
          throw DumpLayout.diskFailure(file.path(), e.getCause());
        }
        if (table.pages() >= request.earlyIndexMinPages()) {
          queue.add(plan.builds(table.qualified()));
        }
        request.tableLoaded().run();
      }
      workers.unregister(connection);
    } catch (SQLException e) {
      throw PgErrors.translate(target, "closing the connection", e);
    }
  }

  private static void loadFile(Connection connection, DumpedFile file, String encoding)
      throws SQLException {
    CopyTable table = file.part().table();
    try {
      if (file.part().whole()) {
        // FREEZE needs the table emptied in the same transaction.
        Jdbc.execute(connection, "BEGIN", "TRUNCATE ONLY " + table.qualified());
        Copies.copyIn(connection, table, encoding, file.path(), true);
        Jdbc.execute(connection, "COMMIT");
      } else {
        Copies.copyIn(connection, table, encoding, file.path(), false);
      }
    } catch (IOException e) {
      // The worker stops and closes its connection, which ends an open transaction.
      throw new UncheckedIOException(e);
    }
  }

  private void restore(
      Request request,
      TableHandoff.Schema schema,
      List<String> selection,
      String what,
      Cancellation cancellation)
      throws StepException {
    List<String> arguments = new ArrayList<>(selection);
    arguments.add("--exit-on-error");
    arguments.add("--no-tablespaces");
    arguments.add("--dbname=" + ConnInfo.of(request.target(), request.staging()));
    arguments.add(schema.schemaDump().toString());
    ToolResult result =
        tools.run(ToolInvocation.of(PgTools.PG_RESTORE, request.target(), arguments), cancellation);
    cancellation.throwIfCancelled();
    if (!result.succeeded()) {
      throw result.failure(what + " into " + Sql.identifier(request.staging()));
    }
  }
}
