package io.pgshuttle.coordinator.sweep;

import io.pgshuttle.coordinator.CoordinatorMetrics;
import io.pgshuttle.coordinator.store.Database;
import io.pgshuttle.coordinator.store.Sweeps;
import io.pgshuttle.messages.LeftoversSwept;
import jakarta.inject.Inject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Folds agents' LeftoversSwept reports into the store, once each: the report is kept with its
 * sweep, and the migrations it says are clean are marked swept, so no later sweep names them again.
 * Thread-safe.
 */
public final class SweepReports {
  private static final Logger log = LoggerFactory.getLogger(SweepReports.class);

  private final Database database;
  private final Sweeps sweeps;
  private final CoordinatorMetrics metrics;

  @Inject
  public SweepReports(Database database, Sweeps sweeps, CoordinatorMetrics metrics) {
    this.database = database;
    this.sweeps = sweeps;
    this.metrics = metrics;
  }

  /**
   * Folds the report of the agent of {@code instanceId}, in one transaction.
   *
   * @return false if it was folded before (nothing changed)
   * @throws io.pgshuttle.coordinator.store.StoreException if the store failed (nothing changed)
   */
  public boolean fold(String instanceId, LeftoversSwept report) {
    boolean applied =
        database.inTransaction(
            connection -> {
              if (!sweeps.recordReport(connection, instanceId, report)) {
                return false;
              }
              sweeps.markSwept(connection, instanceId, report.cleanMigrations());
              return true;
            });
    if (applied) {
      metrics.leftoversRemoved().inc(report.removed().size());
      log.info(
          "sweep {}: the agent of instance {} removed {}, could not remove {}; clean: {}",
          report.sweepId(),
          instanceId,
          report.removed(),
          report.notRemoved(),
          report.cleanMigrations());
    }
    return applied;
  }
}
