package io.pgshuttle.agent.transfer;

import io.pgshuttle.agent.pipeline.Cancellation;
import io.pgshuttle.agent.pipeline.StepException;
import io.pgshuttle.agent.postgres.Databases;
import io.pgshuttle.agent.postgres.Jdbc;
import io.pgshuttle.agent.postgres.PgConnector;
import io.pgshuttle.agent.postgres.PgEndpoint;
import io.pgshuttle.agent.postgres.PgErrors;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Reads the tables of a manifest back from a restored database by COPY, through the same text and
 * the same line checksum DUMP computed as it wrote them, so the two can be compared without reading
 * the source again. Large tables are read in page ranges, as DUMP copies them, so that every
 * session shares the largest table instead of one reading it alone; a table's checksum is the sum
 * of its ranges'. It reads the database as it is when called: VERIFY calls it, so a write to the
 * staging database after RESTORE is seen. Stateless and thread-safe.
 */
public final class TableReadBack {
  private final PgConnector connector;

  @Inject
  public TableReadBack(PgConnector connector) {
    this.connector = connector;
  }

  /**
   * The checksum of each table of {@code manifest} in {@code database}, by qualified name, read by
   * {@code jobs} sessions at once, largest tables first, in ranges of {@code pagesPerPart} pages
   * ({@link PartPlanner#PAGES_PER_PART}).
   */
  public SortedMap<String, Checksum> checksums(
      PgEndpoint target,
      String database,
      Manifest manifest,
      int jobs,
      long pagesPerPart,
      Cancellation cancellation)
      throws StepException {
    Queue<CopyPart> pending =
        new ConcurrentLinkedQueue<>(plan(target, database, manifest, pagesPerPart));
    SortedMap<String, Checksum> checksums = new TreeMap<>();
    for (Manifest.Table table : manifest.tables()) {
      checksums.put(copyTable(table, 0).qualified(), Checksum.EMPTY);
    }
    Workers workers = new Workers();
    List<Workers.Task> tasks = new ArrayList<>();
    for (int i = 0; i < Math.max(1, Math.min(jobs, pending.size())); i++) {
      tasks.add(() -> readParts(target, database, manifest, pending, checksums, workers));
    }
    workers.run("pgshuttle-read-back", tasks, cancellation);
    return checksums;
  }

  /**
   * The parts to read: each table's size is measured on the target, and a range scan needs
   * PostgreSQL 14 there. A table that is missing gets size 0, and its COPY fails naming it.
   */
  private List<CopyPart> plan(
      PgEndpoint target, String database, Manifest manifest, long pagesPerPart)
      throws StepException {
    List<String> names = manifest.tables().stream().map(t -> copyTable(t, 0).qualified()).toList();
    return PgErrors.on(
        target,
        "measuring the tables of " + database,
        () -> {
          try (Connection connection = connector.connect(target, database)) {
            Map<String, Long> pages = new HashMap<>();
            for (Map.Entry<String, Long> size :
                Jdbc.list(
                    connection,
                    "SELECT q, coalesce(pg_relation_size(to_regclass(q))"
                        + " / current_setting('block_size')::bigint, 0)"
                        + " FROM unnest(?::text[]) q",
                    row -> Map.entry(row.getString(1), row.getLong(2)),
                    connection.createArrayOf("text", names.toArray()))) {
              pages.put(size.getKey(), size.getValue());
            }
            List<CopyTable> tables = new ArrayList<>();
            for (Manifest.Table table : manifest.tables()) {
              tables.add(copyTable(table, pages.get(copyTable(table, 0).qualified())));
            }
            return PartPlanner.plan(
                tables,
                Databases.serverVersion(connection).atLeast(TableCatalog.TID_RANGE_SCAN_SINCE),
                pagesPerPart);
          }
        });
  }

  private static CopyTable copyTable(Manifest.Table table, long pages) {
    return new CopyTable(table.schema(), table.name(), table.columns(), pages);
  }

  private void readParts(
      PgEndpoint target,
      String database,
      Manifest manifest,
      Queue<CopyPart> pending,
      SortedMap<String, Checksum> checksums,
      Workers workers)
      throws StepException {
    try (Connection connection = workers.copySession(connector, target, database)) {
      CopyPart part;
      while (!workers.stopped() && (part = pending.poll()) != null) {
        CopyPart reading = part;
        Checksum checksum =
            PgErrors.on(
                target,
                "reading back " + reading.table().qualified() + " of " + database,
                () -> Copies.checksum(connection, reading, manifest.encoding()));
        synchronized (checksums) {
          checksums.merge(reading.table().qualified(), checksum, Checksum::plus);
        }
      }
      workers.unregister(connection);
    } catch (SQLException e) {
      throw PgErrors.translate(target, "closing the connection", e);
    }
  }
}
