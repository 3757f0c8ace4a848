package io.pgshuttle.coordinator.dispatch;

import io.pgshuttle.coordinator.CoordinatorMetrics;
import io.pgshuttle.coordinator.store.Attempts;
import io.pgshuttle.coordinator.store.Database;
import io.pgshuttle.coordinator.store.MigrationRow;
import io.pgshuttle.coordinator.store.Migrations;
import io.pgshuttle.coordinator.store.NewAttempt;
import io.pgshuttle.coordinator.store.Outbox;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the attempts that are due: each gets the next attempt number and a fresh fencing token,
 * and its StartMigration goes into the outbox, in one transaction, so a crash before the publish
 * loses nothing and a restart publishes the same attempt, not a new one. Thread-safe; several
 * coordinators may run it at once (due migrations are locked, skipping those others hold).
 */
public final class AttemptScheduler {
  private static final Logger log = LoggerFactory.getLogger(AttemptScheduler.class);

  /**
   * Most attempts started in one transaction: as many as the outbox publishes in one batch, so that
   * a burst of requests goes out in few rounds.
   */
  static final int BATCH = OutboxPublisher.BATCH;

  private final Database database;
  private final Migrations migrations;
  private final Attempts attempts;
  private final Outbox outbox;
  private final CoordinatorMetrics metrics;

  @Inject
  public AttemptScheduler(
      Database database,
      Migrations migrations,
      Attempts attempts,
      Outbox outbox,
      CoordinatorMetrics metrics) {
    this.database = database;
    this.migrations = migrations;
    this.attempts = attempts;
    this.outbox = outbox;
    this.metrics = metrics;
  }

  /**
   * Starts the next attempt of up to {@link #BATCH} due migrations.
   *
   * @return how many were started; {@link #BATCH} when more may be due
   */
  public int startDueAttempts() {
    int started =
        database.inTransaction(
            connection -> {
              List<MigrationRow> due = migrations.lockDue(connection, BATCH);
              if (due.isEmpty()) {
                return 0;
              }
              // One round trip per statement for the whole batch, not one per attempt.
              long[] tokens = migrations.nextFencingTokens(connection, due.size());
              List<NewAttempt> toStart = new ArrayList<>(due.size());
              for (int i = 0; i < due.size(); i++) {
                MigrationRow migration = due.get(i);
                toStart.add(new NewAttempt(migration.id(), migration.attempt() + 1, tokens[i]));
              }
              migrations.startAttempts(connection, toStart);
              attempts.insertAll(connection, toStart);
              outbox.addCommands(connection, toStart);
              for (int i = 0; i < due.size(); i++) {
                MigrationRow migration = due.get(i);
                int attempt = toStart.get(i).attempt();
                long token = toStart.get(i).fencingToken();
                log.info(
                    "migration {} of instance {}: attempt {} of {} with fencing token {}",
                    migration.id(),
                    migration.instanceId(),
                    attempt,
                    migration.maxAttempts(),
                    token);
              }
              return due.size();
            });
    metrics.attemptsStarted().inc(started);
    return started;
  }
}
