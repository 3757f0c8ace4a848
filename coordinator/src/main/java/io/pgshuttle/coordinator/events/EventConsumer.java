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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes the coordinator's event queue and folds the events, acknowledging them once their fold
 * has committed: reports of sweeps into the sweeps ({@link SweepReports}), the others into the
 * status view ({@link EventFolder}). The client's consumer thread only hands deliveries over; one
 * folding thread takes whatever has arrived, up to {@link #BATCH} events, folds them in one
 * transaction and then acks them with one ack (multiple=true), so the store commits once per batch
 * instead of once per event. Nothing blocks the queue: an undecodable event is logged and
 * acknowledged, and so is one the store refuses for good; if a batch fails, its events are folded
 * one by one, each in its own transaction, and only while the store is unreachable are events
 * requeued (after a pause, so an outage is not a busy loop). Thread-safe.
 */
@Singleton
public final class EventConsumer implements AutoCloseable {
  /** Breakpoint after an event's fold committed, before the event is acked. */
  public static final String BREAKPOINT_EVENT_FOLDED = "event-folded";

  private static final Logger log = LoggerFactory.getLogger(EventConsumer.class);

  /** Most events folded in one transaction. */
  static final int BATCH = 200;

  /** Unacked deliveries: two batches, so the next one arrives while one is folded. */
  private static final int PREFETCH = 2 * BATCH;

  private static final Duration PAUSE_BEFORE_REQUEUE = Duration.ofSeconds(1);

  private final Broker broker;
  private final Topology topology;
  private final MessageCodec codec;
  private final EventFolder folder;
  private final SweepReports sweepReports;
  private final CoordinatorMetrics metrics;
  private final Breakpoints breakpoints;
  private QueueConsumer consumer;
  private Thread folding;

  /** A delivery and the channel it came on, which alone can ack it. */
  private record Pending(Channel channel, Delivery delivery) {
    long tag() {
      return delivery.getEnvelope().getDeliveryTag();
    }
  }

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
    // Bounded by the prefetch: the broker sends no more than PREFETCH unacked deliveries.
    BlockingQueue<Pending> arrived = new LinkedBlockingQueue<>();
    Thread thread = new Thread(() -> foldLoop(arrived), "pgshuttle-event-folder");
    thread.setDaemon(true);
    thread.start();
    folding = thread;
    consumer =
        QueueConsumer.start(
            broker,
            topology.coordinatorEventsQueue(),
            PREFETCH,
            "pgshuttle-coordinator-events",
            (channel, delivery) -> arrived.add(new Pending(channel, delivery)));
  }

  private void foldLoop(BlockingQueue<Pending> arrived) {
    List<Pending> batch = new ArrayList<>(BATCH);
    while (!Thread.currentThread().isInterrupted()) {
      try {
        batch.add(arrived.take());
        arrived.drainTo(batch, BATCH - 1);
        foldBatch(batch);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (IOException | RuntimeException e) {
        // An ack the channel could not take: the channel is gone, and with it the unacked
        // deliveries, which the broker delivers again.
        log.error(
            "cannot fold or ack {} events; the broker will deliver them again", batch.size(), e);
      } finally {
        batch.clear();
      }
    }
  }

  private void foldBatch(List<Pending> batch) throws IOException {
    List<Pending> foldable = new ArrayList<>(batch.size());
    List<EventFolder.Received> events = new ArrayList<>(batch.size());
    for (Pending pending : batch) {
      Envelope<Event> envelope = decode(pending);
      if (envelope == null) {
        pending.channel().basicAck(pending.tag(), false);
      } else if (envelope.payload() instanceof LeftoversSwept) {
        handleOne(pending, envelope);
      } else {
        foldable.add(pending);
        events.add(
            new EventFolder.Received(
                envelope, new String(pending.delivery().getBody(), StandardCharsets.UTF_8)));
      }
    }
    if (foldable.isEmpty()) {
      return;
    }
    List<FoldResult> results;
    try {
      results = folder.foldAll(events);
    } catch (RuntimeException e) {
      // A StoreException, or a bug: one event the store refuses must not hold up the others,
      // so each is folded on its own and acked, requeued or dropped as before batching.
      log.debug(
          "a batch of {} events failed ({}); folding them one by one", events.size(), e.toString());
      for (int i = 0; i < foldable.size(); i++) {
        handleOne(foldable.get(i), events.get(i).envelope());
      }
      return;
    }
    for (int i = 0; i < results.size(); i++) {
      count(events.get(i).envelope(), results.get(i));
    }
    breakpoints.reach(BREAKPOINT_EVENT_FOLDED);
    ackAll(foldable);
  }

  /**
   * Acks the folded deliveries, one ack per run of deliveries on the same channel: every earlier
   * delivery on that channel has already been acked or requeued by this thread, in order, so
   * multiple=true acks exactly these.
   */
  private static void ackAll(List<Pending> folded) throws IOException {
    for (int i = 0; i < folded.size(); i++) {
      Pending pending = folded.get(i);
      boolean lastOfRun =
          i + 1 == folded.size() || folded.get(i + 1).channel() != pending.channel();
      if (lastOfRun) {
        pending.channel().basicAck(pending.tag(), true);
      }
    }
  }

  /** The delivery's envelope, or null when it cannot be decoded (logged and counted). */
  private Envelope<Event> decode(Pending pending) {
    try {
      return codec.decode(pending.delivery().getBody(), Event.class);
    } catch (MessageDecodingException e) {
      log.warn(
          "dropping an undecodable event (routing key {}): {}",
          pending.delivery().getEnvelope().getRoutingKey(),
          e.getMessage());
      metrics.eventsIgnored().inc();
      return null;
    }
  }

  /** Folds one event in a transaction of its own, and acks or requeues it. */
  private void handleOne(Pending pending, Envelope<Event> envelope) throws IOException {
    Channel channel = pending.channel();
    long tag = pending.tag();
    try {
      FoldResult result =
          envelope.payload() instanceof LeftoversSwept report
              ? (sweepReports.fold(envelope.instanceId(), report)
                  ? FoldResult.APPLIED
                  : FoldResult.DUPLICATE)
              : folder.fold(
                  envelope, new String(pending.delivery().getBody(), StandardCharsets.UTF_8));
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
    } catch (RuntimeException e) {
      // As QueueConsumer does for a handler that throws: requeue, keep the channel open.
      log.error("cannot fold {}; requeueing it", describe(envelope), e);
      channel.basicNack(tag, false, true);
    }
  }

  private void count(Envelope<Event> envelope, FoldResult result) {
    if (result == FoldResult.APPLIED) {
      metrics.eventsFolded().inc();
      metrics.eventFolded(Duration.between(envelope.emittedAt(), Instant.now()));
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
      // The channel first: what is not acked yet goes back to the queue, folded or not, and a
      // repeat of a folded event changes nothing.
      consumer.close();
      consumer = null;
    }
    if (folding != null) {
      folding.interrupt();
      try {
        folding.join(Duration.ofSeconds(10).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      folding = null;
    }
  }
}
