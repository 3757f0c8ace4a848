package io.pgshuttle.coordinator.store;

import io.pgshuttle.coordinator.status.MigrationState;
import io.pgshuttle.coordinator.status.StepState;
import java.time.Duration;
import java.util.Map;

/**
 * How many of each the store holds, for metrics. Immutable.
 *
 * @param migrations migrations per state; every state is present
 * @param steps the recorded steps of each migration's current attempt, per state; every state but
 *     PENDING (a step not recorded yet) is present
 * @param oldestUnpublished how long the oldest unpublished outbox entry has waited; zero when none
 *     waits
 */
public record StoreCounts(
    Map<MigrationState, Long> migrations, Map<StepState, Long> steps, Duration oldestUnpublished) {
  public StoreCounts {
    migrations = Map.copyOf(migrations);
    steps = Map.copyOf(steps);
  }
}
