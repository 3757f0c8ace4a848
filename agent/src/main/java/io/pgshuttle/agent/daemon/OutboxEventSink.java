package io.pgshuttle.agent.daemon;

import io.pgshuttle.agent.pipeline.EventSink;
import io.pgshuttle.amqp.AmqpException;
import io.pgshuttle.amqp.ConfirmingPublisher;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.StepStarted;
import io.pgshuttle.messages.Topology;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes one attempt's events to the events exchange with confirms, riding out a broker outage
 * for a while. Sequence numbers start from the wall clock in milliseconds times 1000, so a sink
 * made after an agent restart numbers above every event the attempt sent before. Thread-safe.
 */
public final class PublishingEventSink implements EventSink {
  private static final Logger log = LoggerFactory.getLogger(PublishingEventSink.class);
  private static final Duration RETRY_INTERVAL = Duration.ofSeconds(1);

  private final ConfirmingPublisher publisher;
  private final Topology topology;
  private final String instanceId;
  private final MigrationId migrationId;
  private final int attempt;
  private final Duration giveUpAfter;
  private final AtomicLong seq;
  private volatile Step currentStep;

  public PublishingEventSink(
      ConfirmingPublisher publisher,
      Topology topology,
      String instanceId,
      MigrationId migrationId,
      int attempt,
      Duration giveUpAfter,
      Clock clock) {
    this.publisher = publisher;
    this.topology = topology;
    this.instanceId = instanceId;
    this.migrationId = migrationId;
    this.attempt = attempt;
    this.giveUpAfter = giveUpAfter;
    this.seq = new AtomicLong(clock.millis() * 1000);
  }

  /** The step that started last, for heartbeats; null before the first. */
  public Step currentStep() {
    return currentStep;
  }

  @Override
  public void emit(Event event) {
    if (event instanceof StepStarted started) {
      currentStep = started.step();
    }
    Envelope<Event> envelope =
        Envelope.of(instanceId, migrationId, attempt, seq.incrementAndGet(), event);
    String routingKey = topology.eventRoutingKey(instanceId, migrationId, envelope.type());
    Instant deadline = Instant.now().plus(giveUpAfter);
    while (true) {
      try {
        publisher.publish(topology.eventsExchange(), routingKey, envelope, false, Map.of());
        return;
      } catch (AmqpException e) {
        if (Instant.now().isAfter(deadline)) {
          log.error(
              "dropped event {} of migration {} attempt {}: broker unavailable for {} s",
              envelope.type(),
              migrationId,
              attempt,
              giveUpAfter.toSeconds());
          return;
        }
        log.warn("cannot publish event {} yet: {}", envelope.type(), e.getMessage());
        if (!sleep()) {
          return;
        }
      }
    }
  }

  private static boolean sleep() {
    try {
      Thread.sleep(RETRY_INTERVAL.toMillis());
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
