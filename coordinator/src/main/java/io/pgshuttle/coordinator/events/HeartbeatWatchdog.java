package io.pgshuttle.coordinator.events;

import io.pgshuttle.coordinator.CoordinatorConfig;
import io.pgshuttle.coordinator.PeriodicTask;
import io.pgshuttle.coordinator.dispatch.AttemptOutcomes;
import io.pgshuttle.coordinator.dispatch.CoordinatorEvents;
import io.pgshuttle.coordinator.dispatch.DispatchSignal;
import io.pgshuttle.coordinator.store.Attempts;
import io.pgshuttle.coordinator.store.Database;
import io.pgshuttle.coordinator.store.MigrationRow;
import io.pgshuttle.coordinator.store.SilentAttempt;
import io.pgshuttle.messages.AttemptFailed;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;

/**
 * Fails attempts whose agent went silent: a published attempt whose agent sent nothing, heartbeat
 * or event, for the configured heartbeat timeout fails as retryable, emits an AttemptFailed and
 * follows the retry rules. Late events of that attempt are then stale. Checks four times per
 * timeout (at least every 5 s). Thread-safe.
 */
@Singleton
public final class HeartbeatWatchdog implements AutoCloseable {
  private static final Duration SHORTEST_PERIOD = Duration.ofMillis(100);
  private static final Duration LONGEST_PERIOD = Duration.ofSeconds(5);

  private final Duration timeout;
  private final Database database;
  private final Attempts attempts;
  private final AttemptOutcomes outcomes;
  private final CoordinatorEvents events;
  private final DispatchSignal signal;
  private final PeriodicTask task;

  @Inject
  public HeartbeatWatchdog(
      CoordinatorConfig config,
      Database database,
      Attempts attempts,
      AttemptOutcomes outcomes,
      CoordinatorEvents events,
      DispatchSignal signal) {
    this.timeout = config.heartbeatTimeout();
    this.database = database;
    this.attempts = attempts;
    this.outcomes = outcomes;
    this.events = events;
    this.signal = signal;
    this.task = new PeriodicTask("pgshuttle-watchdog", clamp(timeout.dividedBy(4)), this::check);
  }

  /** The error of an attempt whose agent went silent. */
  public static String silenceError(String instanceId, long silentSeconds) {
    return "agent for instance "
        + instanceId
        + " stopped heartbeating for "
        + silentSeconds
        + " s: check that the pgshuttle agent on that VM runs and reaches the broker";
  }

  public void start() {
    task.start();
  }

  private static Duration clamp(Duration period) {
    if (period.compareTo(SHORTEST_PERIOD) < 0) {
      return SHORTEST_PERIOD;
    }
    return period.compareTo(LONGEST_PERIOD) > 0 ? LONGEST_PERIOD : period;
  }

  private void check() {
    if (failSilentAttempts() > 0) {
      signal.wake();
    }
  }

  /**
   * Fails every silent attempt, in one transaction.
   *
   * @return how many failed
   */
  int failSilentAttempts() {
    return database.inTransaction(
        connection -> {
          List<SilentAttempt> silent = attempts.lockSilent(connection, timeout);
          for (SilentAttempt attempt : silent) {
            MigrationRow migration = attempt.migration();
            String error = silenceError(migration.instanceId(), attempt.silentSeconds());
            events.emit(
                connection,
                migration,
                migration.attempt(),
                CoordinatorEvents.ATTEMPT_FAILED_SEQ,
                new AttemptFailed(null, error, true, List.of()));
            outcomes.attemptFailed(connection, migration, migration.attempt(), error, true);
          }
          return silent.size();
        });
  }

  @Override
  public void close() {
    task.close();
  }
}
