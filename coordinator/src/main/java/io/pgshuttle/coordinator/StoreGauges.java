package io.pgshuttle.coordinator;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.pgshuttle.coordinator.status.MigrationState;
import io.pgshuttle.coordinator.status.StepState;
import io.pgshuttle.coordinator.store.StatusQueries;
import io.pgshuttle.coordinator.store.StoreCounts;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;

/**
 * Gauges of what the store holds, in the one {@link MetricRegistry}: {@code
 * pgshuttle.coordinator.migrations.state.<state>}, {@code
 * pgshuttle.coordinator.steps.state.<state>} (steps of current attempts) and {@code
 * pgshuttle.coordinator.outbox.oldest-unpublished-seconds} (how long the oldest command or event
 * has waited to be published). They show the counts of the last {@link #refresh()}, which a scrape
 * calls once, so that one scrape costs one store transaction; zero before the first. Thread-safe.
 */
@Singleton
public final class StoreGauges {
  public static final String MIGRATIONS_STATE = CoordinatorMetrics.PREFIX + "migrations.state.";
  public static final String STEPS_STATE = CoordinatorMetrics.PREFIX + "steps.state.";
  public static final String OUTBOX_OLDEST_UNPUBLISHED =
      CoordinatorMetrics.PREFIX + "outbox.oldest-unpublished-seconds";

  private final StatusQueries queries;
  private final AtomicReference<StoreCounts> last = new AtomicReference<>();

  @Inject
  public StoreGauges(StatusQueries queries, MetricRegistry registry) {
    this.queries = queries;
    for (MigrationState state : MigrationState.values()) {
      register(registry, MIGRATIONS_STATE + lower(state), counts -> counts.migrations().get(state));
    }
    for (StepState state : StepState.values()) {
      if (state != StepState.PENDING) {
        register(registry, STEPS_STATE + lower(state), counts -> counts.steps().get(state));
      }
    }
    register(
        registry, OUTBOX_OLDEST_UNPUBLISHED, counts -> counts.oldestUnpublished().toNanos() / 1e9);
  }

  /**
   * Reads the counts from the store.
   *
   * @throws io.pgshuttle.coordinator.store.StoreException if the store cannot answer; the gauges
   *     keep the counts read before
   */
  public void refresh() {
    last.set(queries.counts());
  }

  private void register(MetricRegistry registry, String name, ToDoubleFunction<StoreCounts> value) {
    registry.gauge(
        name,
        () ->
            (Gauge<Double>)
                () -> {
                  StoreCounts counts = last.get();
                  return counts == null ? 0.0 : value.applyAsDouble(counts);
                });
  }

  private static String lower(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }
}
