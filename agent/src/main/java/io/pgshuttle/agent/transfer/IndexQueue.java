package io.pgshuttle.agent.transfer;

import io.pgshuttle.agent.pipeline.Cancellation;
import io.pgshuttle.agent.pipeline.StepException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The index builds of the tables loaded so far, for the index workers. A worker takes the first
 * build that can start without waiting for a lock: plain indexes of one table build side by side
 * (and so do primary keys and unique constraints built index first, {@link TableIndex.IndexFirst}),
 * but a constraint added whole by {@code ALTER TABLE} waits for every other build of its table and
 * holds off the rest, so it starts alone. Workers wait while nothing can start, until the loaders
 * are all done and nothing is left. Thread-safe.
 */
final class IndexQueue {
  /** Marks a table whose constraint is being added, in {@link #building}. */
  private static final int EXCLUSIVE = -1;

  private final Monitor monitor = new Monitor();
  private final List<IndexPlan.Build> pending = new ArrayList<>();

  /** Per table, the plain indexes building now, or {@link #EXCLUSIVE}. */
  private final Map<String, Integer> building = new HashMap<>();

  private int loaders;
  private volatile long allLoaded;

  /** A queue fed by {@code loaders} loaders. */
  IndexQueue(int loaders) {
    this.loaders = loaders;
  }

  /** A table is loaded: its builds may start. */
  void add(List<IndexPlan.Build> builds) {
    monitor.update(() -> pending.addAll(builds));
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
            String table = build.index().table();
            int running = building.getOrDefault(table, 0);
            boolean exclusive = build.index().locksTable();
            if (exclusive ? running == 0 : running != EXCLUSIVE) {
              builds.remove();
              building.put(table, exclusive ? EXCLUSIVE : running + 1);
              return Optional.of(Optional.of(build));
            }
          }
          return loaders == 0 && pending.isEmpty()
              ? Optional.of(Optional.<IndexPlan.Build>empty())
              : Optional.empty();
        });
  }

  /** {@code build}, taken before, is done: what waited for its table may start. */
  void done(IndexPlan.Build build) {
    monitor.update(
        () ->
            building.compute(
                build.index().table(),
                (table, running) -> running == EXCLUSIVE || running == 1 ? null : running - 1));
  }
}
