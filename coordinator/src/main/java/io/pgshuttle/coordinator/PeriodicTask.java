package io.pgshuttle.coordinator;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A task that runs on a daemon thread of its own, every {@code period} (from the end of one run to
 * the start of the next), the first time one period after {@link #start()}. A run that throws is
 * logged and does not end the schedule. Start once; {@link #close()} stops it and is idempotent.
 * Thread-safe.
 */
public final class PeriodicTask implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PeriodicTask.class);

  private final String name;
  private final Duration period;
  private final Runnable task;
  private ScheduledExecutorService executor;

  /**
   * @param name the thread's name, also in the log of a failed run
   */
  public PeriodicTask(String name, Duration period, Runnable task) {
    this.name = name;
    this.period = period;
    this.task = task;
  }

  /**
   * @throws IllegalStateException if started before
   */
  public synchronized void start() {
    if (executor != null) {
      throw new IllegalStateException(name + " runs already");
    }
    executor =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, name);
              thread.setDaemon(true);
              return thread;
            });
    long millis = period.toMillis();
    executor.scheduleWithFixedDelay(this::runSafely, millis, millis, TimeUnit.MILLISECONDS);
  }

  private void runSafely() {
    try {
      task.run();
    } catch (RuntimeException e) {
      // The next run tries again; an exception thrown out of here would cancel the schedule.
      log.warn("{} failed: {}", name, e.getMessage());
    }
  }

  /** Stops the schedule, interrupting a run, and waits up to 10 s for it. */
  @Override
  public synchronized void close() {
    if (executor != null) {
      executor.shutdownNow();
      try {
        executor.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      executor = null;
    }
  }
}
