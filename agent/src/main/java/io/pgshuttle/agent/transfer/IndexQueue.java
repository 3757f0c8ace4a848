package io.pgshuttle.agent.transfer;

import io.pgshuttle.agent.pipeline.Cancellation;
import io.pgshuttle.agent.pipeline.StepException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The index builds of the tables loaded so far, for the index workers. A worker takes the first
 * build that can start without waiting for a lock: plain indexes of one table build side by side
 * (and so do primary keys and unique constraints built index first, {@link TableIndex.IndexFirst}),
 * but a constraint added whole by {@code ALTER TABLE} waits for every other build of its table and
 * holds off the rest, so it starts alone. A foreign key is queued once both its tables are, and
 * starts alone on both once nothing else of theirs is left to build: its {@code ALTER TABLE} locks
 * both, and reads the referenced table through the unique index one of those builds makes. A
 * foreign key whose tables are not both queued is left to the final pass. Workers wait while
 * nothing can start, until the loaders are all done and nothing is left. Thread-safe.
 */
final class IndexQueue {
  /** Marks a table whose constraint is being added, in {@link #building}. */
  private static final int EXCLUSIVE = -1;

  private final Monitor monitor = new Monitor();
  private final List<IndexPlan.Build> pending = new ArrayList<>();

  /** Foreign keys whose tables are not all queued yet. */
  private final List<IndexPlan.Build> awaitingTables;

  /** The tables queued so far. */
  private final Set<String> queued = new HashSet<>();

  /** Per table, the plain indexes building now, or {@link #EXCLUSIVE}. */
  private final Map<String, Integer> building = new HashMap<>();

  private int loaders;
  private volatile long allLoaded;

  /** A queue fed by {@code loaders} loaders, for tables with these {@code foreignKeys} between. */
  IndexQueue(int loaders, List<IndexPlan.Build> foreignKeys) {
    this.loaders = loaders;
    this.awaitingTables = new ArrayList<>(foreignKeys);
  }

  /**
   * {@code table} is loaded: its {@code builds} may start, and so may the foreign keys whose tables
   * are now all queued.
   */
  void add(String table, List<IndexPlan.Build> builds) {
    monitor.update(
        () -> {
          pending.addAll(builds);
          queued.add(table);
          for (Iterator<IndexPlan.Build> keys = awaitingTables.iterator(); keys.hasNext(); ) {
            IndexPlan.Build key = keys.next();
            if (queued.containsAll(key.index().tables())) {
              keys.remove();
              pending.add(key);
            }
          }
        });
  }

  /** A loader has no more tables: once every loader said so, workers stop when nothing is left. */
  void loaderDone() {
    monitor.update(
        () -> {
          if (--loaders == 0) {
            allLoaded = System.nanoTime();
          }
        });
  }

  /** When the last loader was done ({@link System#nanoTime}), or 0 while loaders run. */
  long allLoaded() {
    return allLoaded;
  }

  /**
   * Waits for a build that can start and takes it; empty once the loaders are done and every build
   * was taken. The caller reports it {@link #done} when it succeeded.
   */
  Optional<IndexPlan.Build> take(Cancellation cancellation) throws StepException {
    return monitor.await(
        cancellation,
        "an index to build",
        () -> {
          for (Iterator<IndexPlan.Build> builds = pending.iterator(); builds.hasNext(); ) {
            IndexPlan.Build build = builds.next();
            if (canStart(build)) {
              builds.remove();
              for (String table : build.index().tables()) {
                building.merge(table, build.index().locksTable() ? EXCLUSIVE : 1, Integer::sum);
              }
              return Optional.of(Optional.of(build));
            }
          }
          return loaders == 0 && pending.isEmpty()
              ? Optional.of(Optional.<IndexPlan.Build>empty())
              : Optional.empty();
        });
  }

  private boolean canStart(IndexPlan.Build build) {
    TableIndex index = build.index();
    for (String table : index.tables()) {
      int running = building.getOrDefault(table, 0);
      if (index.locksTable() ? running != 0 : running == EXCLUSIVE) {
        return false;
      }
      if (index.foreignKey() && hasPendingIndex(table)) {
        return false;
      }
    }
    return true;
  }

  /** Whether a build of {@code table} other than a foreign key is still to start. */
  private boolean hasPendingIndex(String table) {
    return pending.stream()
        .anyMatch(build -> !build.index().foreignKey() && build.index().table().equals(table));
  }

  /** {@code build}, taken before, is done: what waited for its tables may start. */
  void done(IndexPlan.Build build) {
    monitor.update(
        () -> {
          for (String table : build.index().tables()) {
            building.compute(
                table, (t, running) -> running == EXCLUSIVE || running == 1 ? null : running - 1);
          }
        });
  }
}
