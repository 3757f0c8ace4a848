package io.pgshuttle.coordinator.dispatch;

import io.pgshuttle.coordinator.CoordinatorMetrics;
import io.pgshuttle.coordinator.store.Attempts;
import io.pgshuttle.coordinator.store.CancelRequest;
import io.pgshuttle.coordinator.store.MigrationRow;
import io.pgshuttle.coordinator.store.Migrations;
import io.pgshuttle.messages.MigrationCancelled;
import io.pgshuttle.messages.MigrationFailed;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retry and cancel rules: what follows when an attempt fails, or a migration is cancelled.
 * Every method runs in the caller's transaction, which must hold the migration's lock ({@code
 * Migrations.lock}). Stateless and thread-safe.
 */
public final class AttemptOutcomes {
  private static final Logger log = LoggerFactory.getLogger(AttemptOutcomes.class);

  private final Migrations migrations;
  private final Attempts attempts;
  private final CoordinatorEvents events;
  private final RetryBackoff backoff;
  private final CoordinatorMetrics metrics;

  @Inject
  public AttemptOutcomes(
      Migrations migrations,
      Attempts attempts,
      CoordinatorEvents events,
      RetryBackoff backoff,
      CoordinatorMetrics metrics) {
    this.migrations = migrations;
    this.attempts = attempts;
    this.events = events;
    this.backoff = backoff;
    this.metrics = metrics;
  }

  /**
   * Fails a live attempt. If a cancel was requested, the migration ends CANCELLED, whatever the
   * failure. Otherwise, if the failure is retryable and attempts are left, the next attempt is due
   * after the backoff and the migration stays RUNNING; else the migration FAILS and a
   * MigrationFailed is emitted. Nothing happens if the attempt is over already.
   */
  public void attemptFailed(
      Connection connection, MigrationRow migration, int attempt, String error, boolean retryable)
      throws SQLException {
    if (!attempts.fail(connection, migration.id(), attempt, error, retryable)) {
      return;
    }
    metrics.attemptsFailed().inc();
    Optional<CancelRequest> cancel = migrations.cancelRequest(connection, migration.id());
    if (cancel.isPresent()) {
      cancelMigration(
          connection, migration, cancel.get(), "attempt " + attempt + " ended: " + error);
    } else if (retryable && migration.hasAttemptsLeft()) {
      Duration delay = backoff.after(attempt);
      migrations.scheduleRetry(connection, migration.id(), error, delay);
      log.info(
          "migration {} attempt {} of {} failed, next attempt in {} ms: {}",
          migration.id(),
          attempt,
          migration.maxAttempts(),
          delay.toMillis(),
          error);
    } else {
      failMigration(
          connection,
          migration,
          attempt,
          retryable ? error + " (gave up after " + attempt + " attempts)" : error);
    }
  }

  /** Fails the migration and its attempt if still live, and emits MigrationFailed. */
  public void failMigration(
      Connection connection, MigrationRow migration, int attempt, String error)
      throws SQLException {
    recordMigrationFailed(connection, migration, attempt, error);
    events.emit(
        connection,
        migration,
        attempt,
        CoordinatorEvents.MIGRATION_FAILED_SEQ,
        new MigrationFailed(error));
  }

  /** Fails the migration and its attempt if still live, without emitting anything. */
  public void recordMigrationFailed(
      Connection connection, MigrationRow migration, int attempt, String error)
      throws SQLException {
    if (attempts.fail(connection, migration.id(), attempt, error, false)) {
      metrics.attemptsFailed().inc();
    }
    migrations.fail(connection, migration.id(), error);
    log.warn("migration {} FAILED: {}", migration.id(), error);
  }

  /**
   * Ends the migration CANCELLED, failing its current attempt (not retryable) if still live, and
   * emits MigrationCancelled under the current attempt.
   *
   * @param cancel the request, recorded on the migration
   * @param circumstance what the cancel met, for the error, such as "before its first attempt"
   */
  public void cancelMigration(
      Connection connection, MigrationRow migration, CancelRequest cancel, String circumstance)
      throws SQLException {
    String error = cancel.error(circumstance);
    int attempt = migration.attempt();
    if (attempt > 0 && attempts.fail(connection, migration.id(), attempt, error, false)) {
      metrics.attemptsFailed().inc();
    }
    migrations.cancel(connection, migration.id(), error);
    metrics.migrationsCancelled().inc();
    log.warn("migration {} CANCELLED: {}", migration.id(), error);
    events.emit(
        connection,
        migration,
        attempt,
        CoordinatorEvents.MIGRATION_CANCELLED_SEQ,
        new MigrationCancelled(cancel.reason()));
  }
}
