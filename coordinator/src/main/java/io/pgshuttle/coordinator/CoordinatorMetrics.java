package io.pgshuttle.coordinator;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.pgshuttle.messages.Step;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Locale;

/**
 * The coordinator's counters in the one {@link MetricRegistry}, named {@code
 * pgshuttle.coordinator.<thing>}. Thread-safe. Counts are taken as decisions are made: one whose
 * transaction then fails and is retried counts again, so read them as rates, not a ledger.
 */
@Singleton
public final class CoordinatorMetrics {
  public static final String PREFIX = "pgshuttle.coordinator.";
  public static final String REQUESTS_ACCEPTED = PREFIX + "requests.accepted";
  public static final String REQUESTS_DUPLICATE = PREFIX + "requests.duplicate";
  public static final String REQUESTS_DEAD_LETTERED = PREFIX + "requests.dead-lettered";
  public static final String COMMANDS_PUBLISHED = PREFIX + "commands.published";
  public static final String COMMANDS_UNROUTABLE = PREFIX + "commands.unroutable";
  public static final String EVENTS_FOLDED = PREFIX + "events.folded";
  public static final String EVENTS_IGNORED = PREFIX + "events.ignored";
  public static final String ATTEMPTS_STARTED = PREFIX + "attempts.started";
  public static final String ATTEMPTS_SUCCEEDED = PREFIX + "attempts.succeeded";
  public static final String EVENTS_REFUSED = PREFIX + "events.refused";
  public static final String COMMANDS_REFUSED = PREFIX + "commands.refused";
  public static final String ATTEMPTS_FAILED = PREFIX + "attempts.failed";
  public static final String STEP_DURATION = PREFIX + "steps.duration.";
  public static final String BYTES_DUMPED = PREFIX + "bytes.dumped";
  public static final String BYTES_RESTORED = PREFIX + "bytes.restored";
  public static final String EVENT_FOLD_DELAY = PREFIX + "events.fold-delay";
  public static final String MIGRATIONS_CANCELLED = PREFIX + "migrations.cancelled";
  public static final String SWEEPS_SENT = PREFIX + "sweeps.sent";
  public static final String LEFTOVERS_REMOVED = PREFIX + "leftovers.removed";

  private final MetricRegistry registry;

  @Inject
  public CoordinatorMetrics(MetricRegistry registry) {
    this.registry = registry;
  }

  /** Requests recorded as new migrations. */
  public Counter requestsAccepted() {
    return registry.counter(REQUESTS_ACCEPTED);
  }

  /** Requests whose requestId was known: acknowledged, nothing new. */
  public Counter requestsDuplicate() {
    return registry.counter(REQUESTS_DUPLICATE);
  }

  /** Requests refused into the dead-letter queue. */
  public Counter requestsDeadLettered() {
    return registry.counter(REQUESTS_DEAD_LETTERED);
  }

  /** StartMigration commands a queue took. */
  public Counter commandsPublished() {
    return registry.counter(COMMANDS_PUBLISHED);
  }

  /** StartMigration commands no agent queue took. */
  public Counter commandsUnroutable() {
    return registry.counter(COMMANDS_UNROUTABLE);
  }

  /** Events that changed the status view. */
  public Counter eventsFolded() {
    return registry.counter(EVENTS_FOLDED);
  }

  /** Events stored or dropped without a change: duplicates, stale attempts, undecodable. */
  public Counter eventsIgnored() {
    return registry.counter(EVENTS_IGNORED);
  }

  /** Attempts dispatched: each StartMigration the coordinator decided to send. */
  public Counter attemptsStarted() {
    return registry.counter(ATTEMPTS_STARTED);
  }

  /** Attempts whose agent reported the migration SUCCEEDED. */
  public Counter attemptsSucceeded() {
    return registry.counter(ATTEMPTS_SUCCEEDED);
  }

  /** How long a step took that succeeded, as its agent measured it. */
  public Timer stepDuration(Step step) {
    return registry.timer(STEP_DURATION + step.name().toLowerCase(Locale.ROOT));
  }

  /** Bytes DUMP steps that succeeded wrote, by their last progress report. */
  public Counter bytesDumped() {
    return registry.counter(BYTES_DUMPED);
  }

  /** Bytes RESTORE steps that succeeded read, by their last progress report. */
  public Counter bytesRestored() {
    return registry.counter(BYTES_RESTORED);
  }

  /** From an event's emittedAt (the agent's clock) to its fold into the status view. */
  public void eventFolded(Duration delay) {
    registry.timer(EVENT_FOLD_DELAY).update(delay.isNegative() ? Duration.ZERO : delay);
  }

  /** Events dropped unfolded: not MACed with the key of the instance they claim to be from. */
  public Counter eventsRefused() {
    return registry.counter(EVENTS_REFUSED);
  }

  /** Commands an agent reported it refused (CommandRefused events). */
  public Counter commandsRefused() {
    return registry.counter(COMMANDS_REFUSED);
  }

  /** Attempts that failed, by the agent's report, a silent agent or a missing one. */
  public Counter attemptsFailed() {
    return registry.counter(ATTEMPTS_FAILED);
  }

  /** Migrations that ended CANCELLED. */
  public Counter migrationsCancelled() {
    return registry.counter(MIGRATIONS_CANCELLED);
  }

  /** SweepLeftovers commands an agent's control queue took. */
  public Counter sweepsSent() {
    return registry.counter(SWEEPS_SENT);
  }

  /** Disks, databases and rollbacks the agents reported removed. */
  public Counter leftoversRemoved() {
    return registry.counter(LEFTOVERS_REMOVED);
  }
}
