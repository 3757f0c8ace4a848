package io.pgshuttle.coordinator.events;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Delivery;
import io.pgshuttle.coordinator.CoordinatorMetrics;
import io.pgshuttle.coordinator.broker.Broker;
import io.pgshuttle.coordinator.broker.QueueConsumer;
import io.pgshuttle.coordinator.store.StoreException;
import io.pgshuttle.coordinator.sweep.SweepReports;
import io.pgshuttle.faults.Breakpoints;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.LeftoversSwept;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MessageDecodingException;
import io.pgshuttle.messages.Topology;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes the coordinator's event queue and folds each event, acknowledging it once the fold has
 * committed: reports of sweeps into the sweeps ({@link SweepReports}), the others into the status
 * view ({@link EventFolder}). Nothing blocks the queue: an undecodable event is logged and
 * acknowledged, and so is one the store refuses for good; only while the store is unreachable are
 * events requeued (after a pause, so an outage is not a busy loop). Thread-safe.
 */
@Singleton
public final class EventConsumer implements AutoCloseable {
  /** Breakpoint after an event's fold committed, before the event is acked. */
  public static final String BREAKPOINT_EVENT_FOLDED = "event-folded";

  private static final Logger log = LoggerFactory.getLogger(EventConsumer.class);
  private static final int PREFETCH = 50;
  private static final Duration PAUSE_BEFORE_REQUEUE = Duration.ofSeconds(1);

  private final Broker broker;
  private final Topology topology;
  private final MessageCodec codec;
  private final EventFolder folder;
  private final SweepReports sweepReports;
  private final CoordinatorMetrics metrics;
  private final Breakpoints breakpoints;
  private QueueConsumer consumer;

  @Inject
  public EventConsumer(
      Broker broker,
      Topology topology,
      MessageCodec codec,
      EventFolder folder,
      SweepReports sweepReports,
      CoordinatorMetrics metrics,
      Breakpoints breakpoints) {
    this.broker = broker;
    this.topology = topology;
    this.codec = codec;
    this.folder = folder;
    this.sweepReports = sweepReports;
    this.metrics = metrics;
    this.breakpoints = breakpoints;
  }

  public synchronized void start() throws IOException {
    consumer =
        QueueConsumer.start(
            broker,
            topology.coordinatorEventsQueue(),
            PREFETCH,
            "pgshuttle-coordinator-events",
            this::handle);
  }

  private void handle(Channel channel, Delivery delivery) throws IOException {
    long tag = delivery.getEnvelope().getDeliveryTag();
    Envelope<Event> envelope;
    try {
      envelope = codec.decode(delivery.getBody(), Event.class);
    } catch (MessageDecodingException e) {
      log.warn(
          "dropping an undecodable event (routing key {}): {}",
          delivery.getEnvelope().getRoutingKey(),
          e.getMessage());
      metrics.eventsIgnored().inc();
      channel.basicAck(tag, false);
      return;
    }
    try {
      FoldResult result =
          envelope.payload() instanceof LeftoversSwept report
              ? (sweepReports.fold(envelope.instanceId(), report)
                  ? FoldResult.APPLIED
                  : FoldResult.DUPLICATE)
              : folder.fold(envelope, new String(delivery.getBody(), StandardCharsets.UTF_8));
      count(envelope, result);
      breakpoints.reach(BREAKPOINT_EVENT_FOLDED);
      channel.basicAck(tag, false);
    } catch (StoreException e) {
      if (e.retryable()) {
        log.warn("cannot fold {} now, requeueing it: {}", describe(envelope), e.getMessage());
        pause();
        channel.basicNack(tag, false, true);
      } else {
        log.error("the store refused {}; dropping it", describe(envelope), e);
        metrics.eventsIgnored().inc();
        channel.basicAck(tag, false);
      }
    }
  }

  private void count(Envelope<Event> envelope, FoldResult result) {
    if (result == FoldResult.APPLIED) {
      metrics.eventsFolded().inc();
      return;
    }
    metrics.eventsIgnored().inc();
    if (result == FoldResult.UNKNOWN_MIGRATION || result == FoldResult.WRONG_INSTANCE) {
      log.warn("ignoring {}: {}", describe(envelope), result);
    } else {
      log.debug("ignoring {}: {}", describe(envelope), result);
    }
  }

  private static String describe(Envelope<Event> envelope) {
    return envelope.type()
        + " of migration "
        + envelope.migrationId()
        + " attempt "
        + envelope.attempt()
        + " seq "
        + envelope.seq()
        + " from instance "
        + envelope.instanceId();
  }

  private static void pause() {
    try {
      Thread.sleep(PAUSE_BEFORE_REQUEUE.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public synchronized void close() {
    if (consumer != null) {
      consumer.close();
      consumer = null;
    }
  }
}
