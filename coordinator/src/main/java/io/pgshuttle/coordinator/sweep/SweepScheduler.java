package io.pgshuttle.coordinator.sweep;

import io.pgshuttle.coordinator.CoordinatorConfig;
import io.pgshuttle.coordinator.PeriodicTask;
import io.pgshuttle.coordinator.audit.AuditLog;
import io.pgshuttle.coordinator.status.SweepTrigger;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/**
 * Starts a sweep of every instance's ended migrations every {@code coordinator.sweepInterval}, the
 * first one interval after start. Start once, close once. Thread-safe.
 */
@Singleton
public final class SweepScheduler implements AutoCloseable {
  private final PeriodicTask task;

  @Inject
  public SweepScheduler(CoordinatorConfig config, LeftoverSweeps sweeps) {
    this.task =
        new PeriodicTask(
            "pgshuttle-sweeps",
            config.sweepInterval(),
            () -> sweeps.start(SweepTrigger.PERIODIC, null, AuditLog.COORDINATOR));
  }

  public void start() {
    task.start();
  }

  @Override
  public void close() {
    task.close();
  }
}
