package io.pgshuttle.agent.transfer;

import io.pgshuttle.agent.pipeline.Cancellation;
import io.pgshuttle.agent.pipeline.StepException;
import io.pgshuttle.agent.postgres.PgConnector;
import io.pgshuttle.agent.postgres.PgEndpoint;
import io.pgshuttle.agent.postgres.PgErrors;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Reads the tables of a manifest back from a restored database by COPY, through the same text and
 * the same line checksum DUMP computed as it wrote them, so the two can be compared without reading
 * the source again. It reads the database as it is when called: VERIFY calls it, so a write to the
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
   * {@code jobs} sessions at once, largest tables first (the manifest's order).
   */
  public SortedMap<String, Checksum> checksums(
      PgEndpoint target, String database, Manifest manifest, int jobs, Cancellation cancellation)
      throws StepException {
    Queue<CopyTable> pending = new ConcurrentLinkedQueue<>();
    for (Manifest.Table table : manifest.tables()) {
      pending.add(new CopyTable(table.schema(), table.name(), table.columns(), 0));
    }
    SortedMap<String, Checksum> checksums = new TreeMap<>();
    Workers workers = new Workers();
    List<Workers.Task> tasks = new ArrayList<>();
    for (int i = 0; i < Math.max(1, Math.min(jobs, pending.size())); i++) {
      tasks.add(() -> readTables(target, database, manifest, pending, checksums, workers));
    }
    workers.run("pgshuttle-read-back", tasks, cancellation);
    return checksums;
  }

  private void readTables(
      PgEndpoint target,
      String database,
      Manifest manifest,
      Queue<CopyTable> pending,
      SortedMap<String, Checksum> checksums,
      Workers workers)
      throws StepException {
    try (Connection connection = workers.copySession(connector, target, database)) {
      CopyTable table;
      while (!workers.stopped() && (table = pending.poll()) != null) {
        CopyTable reading = table;
        Checksum checksum =
            PgErrors.on(
                target,
                "reading back " + reading.qualified() + " of " + database,
                () -> Copies.checksum(connection, reading, manifest.encoding()));
        synchronized (checksums) {
          checksums.put(reading.qualified(), checksum);
        }
      }
      workers.unregister(connection);
    } catch (SQLException e) {
      throw PgErrors.translate(target, "closing the connection", e);
    }
  }
}
