package io.pgshuttle.agent.transfer;

import io.pgshuttle.agent.pipeline.Cancellation;
import io.pgshuttle.agent.pipeline.StepException;
import io.pgshuttle.agent.postgres.ConnInfo;
import io.pgshuttle.agent.postgres.Databases;
import io.pgshuttle.agent.postgres.Jdbc;
import io.pgshuttle.agent.postgres.PgConnector;
import io.pgshuttle.agent.postgres.PgEndpoint;
import io.pgshuttle.agent.postgres.PgErrors;
import io.pgshuttle.agent.postgres.PgTools;
import io.pgshuttle.agent.postgres.PgVersion;
import io.pgshuttle.agent.postgres.Sql;
import io.pgshuttle.agent.postgres.ToolInvocation;
import io.pgshuttle.agent.postgres.ToolResult;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * Dumps one database onto the disk as {@link DumpLayout} describes: a connection exports a snapshot
 * and holds it while {@code pg_dump} writes {@code schema.dump} and {@code jobs} workers copy the
 * tables' parts, largest first, each into its file with its checksum. Each piece is handed to
 * RESTORE through the {@link TableHandoff} as soon as it is complete. Of a database with more than
 * {@code maxTables} tables, the smallest beyond that number keep their rows in {@code schema.dump}.
 * Stateless and thread-safe.
 */
public final class TableDumper {
  /**
   * The most tables of one database copied into files of their own. Each is excluded from {@code
   * pg_dump}'s data by an argument of its own, and the arguments of a process share a limit of a
   * few MiB; so the rows of the smallest tables beyond this number stay in {@code schema.dump}, and
   * VERIFY reads those tables on both servers.
   */
  public static final int MAX_TABLES = 1000;

  private final PgConnector connector;
  private final PgTools tools;

  @Inject
  public TableDumper(PgConnector connector, PgTools tools) {
    this.connector = connector;
    this.tools = tools;
  }

  /**
   * What to dump and where.
   *
   * @param index the database's plan index, under which the handoff knows it
   * @param database its name on the source
   * @param directory its dump directory, empty or absent
   * @param jobs workers copying tables
   * @param pagesPerPart size of the ranges a large table is cut into ({@link
   *     PartPlanner#PAGES_PER_PART})
   * @param maxTables the most tables copied into files ({@link #MAX_TABLES}); the smallest beyond
   *     it keep their rows in {@code schema.dump}
   * @param written sees each file once it is complete (from a worker thread)
   */
  public record Request(
      PgEndpoint source,
      int index,
      String database,
      Path directory,
      int jobs,
      long pagesPerPart,
      int maxTables,
      TableHandoff handoff,
      Consumer<DumpedFile> written) {
    public Request {
      if (maxTables < 1) {
        throw new IllegalArgumentException("maxTables must be 1 or more, not " + maxTables);
      }
    }
  }

  /**
   * A dumped database.
   *
   * @param manifest the tables copied into files, as written into the directory
   * @param tablesInSchemaDump the smallest tables beyond {@link Request#maxTables}, whose rows
   *     {@code schema.dump} holds; 0 when every table was copied into files
   */
  public record Dumped(Manifest manifest, int tablesInSchemaDump) {}

  /** Dumps the database. */
  public Dumped dump(Request request, Cancellation cancellation) throws StepException {
    PgEndpoint source = request.source();
    Path directory = request.directory();
    try {
      Files.createDirectories(directory.resolve(DumpLayout.DATA_DIRECTORY));
    } catch (IOException e) {
      throw DumpLayout.diskFailure(directory, e);
    }
    try (Connection exporter = connector.connect(source, request.database())) {
      Snapshot snapshot =
          PgErrors.on(
              source,
              "exporting a snapshot of " + request.database(),
              () -> Snapshot.export(exporter, request.maxTables()));
      List<CopyPart> parts =
          PartPlanner.plan(
              snapshot.tables(),
              snapshot.version().atLeast(TableCatalog.TID_RANGE_SCAN_SINCE),
              request.pagesPerPart());
      Queue<CopyPart> todo = new ConcurrentLinkedQueue<>(parts);
      List<DumpedFile> done = Collections.synchronizedList(new ArrayList<>());
      Workers workers = new Workers();
      List<Workers.Task> tasks = new ArrayList<>();
      tasks.add(() -> dumpSchema(request, snapshot, cancellation));
      for (int i = 0; i < request.jobs(); i++) {
        tasks.add(() -> copyParts(request, snapshot, todo, done, workers));
      }
      workers.run("pgshuttle-dump", tasks, cancellation);
      Manifest manifest = Manifest.of(snapshot.encoding(), done);
      try {
        manifest.write(directory.resolve(Manifest.FILE_NAME));
        Files.writeString(
            directory.resolve(DumpLayout.LOAD_SCRIPT), DumpLayout.loadScript(manifest));
      } catch (IOException e) {
        throw DumpLayout.diskFailure(directory, e);
      }
      request.handoff().databaseDumped(request.index());
      return new Dumped(manifest, snapshot.tablesInSchemaDump());
    } catch (SQLException e) {
      throw PgErrors.translate(source, "closing the connection", e);
    }
  }

  /**
   * What the exporting connection found in its snapshot: {@code tables} to copy into files, and how
   * many smaller ones stay in the schema dump.
   */
  private record Snapshot(
      String id,
      PgVersion version,
      String encoding,
      List<CopyTable> tables,
      int tablesInSchemaDump,
      List<TableIndex> indexes) {
    static Snapshot export(Connection connection, int maxTables) throws SQLException {
      // An empty search_path, among the rest: index definitions come with every name qualified.
      Copies.configure(connection);
      Jdbc.execute(connection, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      String id =
          Jdbc.first(connection, "SELECT pg_export_snapshot()", row -> row.getString(1))
              .orElseThrow();
      PgVersion version = Databases.serverVersion(connection);
      List<CopyTable> all = TableCatalog.tables(connection, version);
      List<CopyTable> copied = largest(all, maxTables);
      return new Snapshot(
          id,
          version,
          TableCatalog.encoding(connection),
          copied,
          all.size() - copied.size(),
          TableCatalog.indexes(connection));
    }
  }

  /** The {@code limit} largest of {@code tables}, by name among equals. */
  private static List<CopyTable> largest(List<CopyTable> tables, int limit) {
    return tables.stream()
        .sorted(
            Comparator.comparingLong(CopyTable::pages)
                .reversed()
                .thenComparing(CopyTable::qualified))
        .limit(limit)
        .toList();
  }

  private void dumpSchema(Request request, Snapshot snapshot, Cancellation cancellation)
      throws StepException {
    Path schema = request.directory().resolve(DumpLayout.SCHEMA_FILE);
    List<String> arguments = new ArrayList<>();
    arguments.add("--format=custom");
    // What is left in it after the tables' rows is small (large objects aside): not worth the CPU.
    arguments.add("--compress=0");
    arguments.add("--snapshot=" + snapshot.id());
    for (CopyTable table : snapshot.tables()) {
      arguments.add("--exclude-table-data=" + table.dumpPattern());
    }
    arguments.add("--file=" + schema);
    arguments.add("--dbname=" + ConnInfo.of(request.source(), request.database()));
    ToolResult result =
        tools.run(ToolInvocation.of(PgTools.PG_DUMP, request.source(), arguments), cancellation);
    cancellation.throwIfCancelled();
    if (!result.succeeded()) {
      throw result.failure("pg_dump of the schema of " + Sql.identifier(request.database()));
    }
    request
        .handoff()
        .schemaReady(
            request.index(),
            new TableHandoff.Schema(
                schema, snapshot.encoding(), snapshot.tables().size(), snapshot.indexes()));
  }

  private void copyParts(
      Request request,
      Snapshot snapshot,
      Queue<CopyPart> todo,
      List<DumpedFile> done,
      Workers workers)
      throws StepException {
    PgEndpoint source = request.source();
    try (Connection connection = workers.register(connector.connect(source, request.database()))) {
      PgErrors.on(
          source,
          "joining the snapshot of " + request.database(),
          () -> {
            Copies.configure(connection);
            Jdbc.execute(
                connection,
                "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
                "SET TRANSACTION SNAPSHOT " + Sql.literal(snapshot.id()));
            return null;
          });
      CopyPart part;
      while (!workers.stopped() && (part = todo.poll()) != null) {
        CopyPart copying = part;
        Path file = request.directory().resolve(copying.fileName());
        Checksum checksum;
        try {
          checksum =
              PgErrors.on(
                  source,
                  "copying " + copying.table().qualified() + " of " + request.database(),
                  () -> {
                    try {
                      return Copies.copyOut(connection, copying, snapshot.encoding(), file);
                    } catch (IOException e) {
                      throw new UncheckedIOException(e);
                    }
                  });
        } catch (UncheckedIOException e) {
          throw DumpLayout.diskFailure(file, e.getCause());
        }
        DumpedFile dumped = new DumpedFile(copying, file, checksum);
        done.add(dumped);
        request.handoff().fileReady(request.index(), dumped);
        request.written().accept(dumped);
      }
      workers.unregister(connection);
    } catch (SQLException e) {
      throw PgErrors.translate(source, "closing the connection", e);
    }
  }
}
