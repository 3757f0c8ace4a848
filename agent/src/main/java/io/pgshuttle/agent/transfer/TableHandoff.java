package io.pgshuttle.agent.transfer;

import io.pgshuttle.agent.pipeline.Cancellation;
import io.pgshuttle.agent.pipeline.RetryableStepException;
import io.pgshuttle.agent.pipeline.StepException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What DUMP hands RESTORE in memory while the dump is written: the dump of the roles, then per
 * database (by plan index) its schema dump once written, then each table file once complete, then
 * that no more will come. RESTORE waits for each without polling, until the attempt is cancelled or
 * DUMP failed. Works the same when RESTORE only starts after DUMP ended: everything is then there
 * already. One per attempt ({@code AttemptContext.shared}); thread-safe.
 */
public final class TableHandoff {
  /**
   * A database's schema dump.
   *
   * @param schemaDump {@code schema.dump}, holding everything but the copied tables' rows
   * @param encoding the database's encoding, which the files are in
   * @param tables how many tables the files hold
   * @param indexes the indexes of those tables, which RESTORE builds as each table is loaded
   */
  public record Schema(Path schemaDump, String encoding, int tables, List<TableIndex> indexes) {
    public Schema {
      indexes = List.copyOf(indexes);
    }
  }

  private final Monitor monitor = new Monitor();
  private final Map<Integer, Schema> schemas = new HashMap<>();
  private final Map<Integer, ArrayDeque<DumpedFile>> files = new HashMap<>();
  private final Map<Integer, Boolean> complete = new HashMap<>();
  private Path globals;
  private String failure;

  /** The roles' dump ({@code pg_dumpall --globals-only}) is complete. */
  public void globalsReady(Path globalsDump) {
    update(() -> globals = globalsDump);
  }

  /** Waits for the roles' dump. */
  public Path awaitGlobals(Cancellation cancellation) throws StepException {
    return await(cancellation, () -> Optional.ofNullable(globals));
  }

  /** DUMP starts a database over: forgets what an earlier run of DUMP handed over for it. */
  public void restart(int database) {
    update(
        () -> {
          schemas.remove(database);
          files.remove(database);
          complete.remove(database);
        });
  }

  public void schemaReady(int database, Schema schema) {
    update(() -> schemas.put(database, schema));
  }

  public void fileReady(int database, DumpedFile file) {
    update(() -> files.computeIfAbsent(database, key -> new ArrayDeque<>()).add(file));
  }

  /** Every file of {@code database} was handed over. */
  public void databaseDumped(int database) {
    update(() -> complete.put(database, true));
  }

  /**
   * DUMP failed: whoever waits stops with {@code reason}. For the dumper and loader run on their
   * own; in an attempt, the runner stops RESTORE when DUMP fails.
   */
  public void failed(String reason) {
    update(() -> failure = reason);
  }

  /** Waits for the schema of {@code database}. */
  public Schema awaitSchema(int database, Cancellation cancellation) throws StepException {
    return await(cancellation, () -> Optional.ofNullable(schemas.get(database)));
  }

  /**
   * Waits for the next file of {@code database} nobody took yet; empty once every file was taken.
   */
  public Optional<DumpedFile> next(int database, Cancellation cancellation) throws StepException {
    return await(
        cancellation,
        () -> {
          ArrayDeque<DumpedFile> ready = files.get(database);
          if (ready != null && !ready.isEmpty()) {
            return Optional.of(Optional.of(ready.poll()));
          }
          return complete.getOrDefault(database, false)
              ? Optional.of(Optional.<DumpedFile>empty())
              : Optional.empty();
        });
  }

  private <T> T await(Cancellation cancellation, Monitor.Probe<T> probe) throws StepException {
    return monitor.await(
        cancellation,
        "DUMP",
        () -> {
          if (failure != null) {
            throw new RetryableStepException("DUMP stopped: " + failure);
          }
          return probe.find();
        });
  }

  private void update(Runnable change) {
    monitor.update(change);
  }
}
