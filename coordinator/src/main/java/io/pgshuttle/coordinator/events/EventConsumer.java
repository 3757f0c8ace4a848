package io.pgshuttle.coordinator.events;

import com.rabbitmq.client.Delivery;
import io.pgshuttle.amqp.BrokerGrants;
import io.pgshuttle.coordinator.CoordinatorMetrics;
import io.pgshuttle.coordinator.audit.AuditAction;
import io.pgshuttle.coordinator.audit.AuditLog;
import io.pgshuttle.coordinator.audit.AuditRecord;
import io.pgshuttle.coordinator.broker.BatchingConsumer;
import io.pgshuttle.coordinator.broker.BatchingConsumer.Taken;
import io.pgshuttle.coordinator.broker.Broker;
import io.pgshuttle.coordinator.store.StoreException;
import io.pgshuttle.coordinator.sweep.SweepReports;
import io.pgshuttle.faults.Breakpoints;
import io.pgshuttle.messages.CommandRefused;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.LeftoversSwept;
import io.pgshuttle.messages.Topology;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes the coordinator's event queue and folds the events, acknowledging them once their fold
 * has committed: reports of sweeps into the sweeps ({@link SweepReports}), the others into the
 * status view ({@link EventFolder}). An event not signed by the key of the instance it names
 * ({@link EventSignatures}, through {@link EventAdmission}) is logged, counted and acknowledged,
 * never folded; an agent's report that it refused a command ({@link CommandRefused}) is logged,
 * counted and audited, not folded. The client's consumer thread only hands deliveries over; one
 * folding thread takes whatever has arrived, up to {@link #BATCH} events, folds them in one
 * transaction and then acks them with one ack (multiple=true), so the store commits once per batch
 * instead of once per event. One thread, so that an instance's events are folded in the order the
 * queue holds them, as the fold needs: an event after its attempt's end changes nothing. Nothing
 * blocks the queue: an undecodable event is logged and acknowledged, and so is one the store
 * refuses for good or whose AMQP user-id is neither its instance's agent nor the coordinator (see
 * {@link BrokerGrants#isTrustedEventPublisher}); if a batch fails, its events are folded one by
 * one, each in its own transaction, and only while the store is unreachable are events requeued
 * (after a pause, so an outage is not a busy loop). Thread-safe.
 */
@Singleton
public final class EventConsumer implements AutoCloseable {
  /** Breakpoint after an event's fold committed, before the event is acked. */
  public static final String BREAKPOINT_EVENT_FOLDED = "event-folded";

  private static final Logger log = LoggerFactory.getLogger(EventConsumer.class);

  /**
   * Most events folded in one transaction (the prefetch is twice that). 500 rather than 200: while
   * agents publish, the broker hands deliveries out slowly, and a larger window folds more per
   * round trip (bench/README.md, "Publishing threads and larger fold batches").
   */
  static final int BATCH = 500;

  private static final Duration PAUSE_BEFORE_REQUEUE = Duration.ofSeconds(1);

  private final Broker broker;
  private final Topology topology;
  private final EventAdmission admission;
  private final EventFolder folder;
  private final SweepReports sweepReports;
  private final CoordinatorMetrics metrics;
  private final AuditLog auditLog;
  private final Breakpoints breakpoints;
  private BatchingConsumer consumer;

  @Inject
  public EventConsumer(
      Broker broker,
      Topology topology,
      EventAdmission admission,
      EventFolder folder,
      SweepReports sweepReports,
      CoordinatorMetrics metrics,
      AuditLog auditLog,
      Breakpoints breakpoints) {
    this.broker = broker;
    this.topology = topology;
    this.admission = admission;
    this.folder = folder;
    this.sweepReports = sweepReports;
    this.metrics = metrics;
    this.auditLog = auditLog;
    this.breakpoints = breakpoints;
  }

  public synchronized void start() throws IOException {
    consumer =
        BatchingConsumer.start(
            broker,
            topology.coordinatorEventsQueue(),
            BATCH,
            "pgshuttle-coordinator-events",
            "pgshuttle-event-folder",
            this::foldBatch);
  }

  private void foldBatch(List<Taken> batch) throws IOException {
    List<Taken> foldable = new ArrayList<>(batch.size());
    List<EventFolder.Received> events = new ArrayList<>(batch.size());
    for (Taken pending : batch) {
      Envelope<Event> envelope = admitted(pending);
      if (envelope == null) {
        pending.ack();
      } else if (envelope.payload() instanceof CommandRefused refused) {
        if (recordRefusal(envelope.instanceId(), refused)) {
          pending.ack();
        } else {
          pending.requeue();
        }
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
    Taken.ackAll(foldable);
  }

  /**
   * The delivery's envelope, or null when it is not to be folded: it cannot be decoded, its
   * publisher may not speak for its instance, or it is not signed by its instance's key (logged and
   * counted).
   */
  private Envelope<Event> admitted(Taken pending) {
    Delivery delivery = pending.delivery();
    String userId = delivery.getProperties().getUserId();
    EventAdmission.Verdict verdict =
        admission.admit(
            delivery.getBody(), userId, broker.user(), delivery.getProperties().getHeaders());
    if (verdict instanceof EventAdmission.Admitted admitted) {
      return admitted.envelope();
    }
    if (verdict instanceof EventAdmission.Unreadable unreadable) {
      log.warn(
          "dropping an undecodable event (routing key {}): {}",
          delivery.getEnvelope().getRoutingKey(),
          unreadable.detail());
      metrics.eventsIgnored().inc();
    } else if (verdict instanceof EventAdmission.UntrustedPublisher untrusted) {
      log.warn(
          "dropping {}: published by broker user {}, not by the instance's agent user",
          describe(untrusted.envelope()),
          userId == null ? "(no user-id)" : userId);
      metrics.eventsIgnored().inc();
    } else if (verdict instanceof EventAdmission.Unsigned unsigned) {
      log.warn(
          "refused {}: {} ({})",
          describe(unsigned.envelope()),
          unsigned.refusal().getMessage(),
          unsigned.refusal().reason());
      metrics.eventsRefused().inc();
    }
    return null;
  }

  /**
   * An agent refused a command: someone may be trying to command it, or the keys disagree. Logged,
   * counted and put in the audit log, with the agent as who; false if the store cannot take it now
   * (the event is then delivered again).
   */
  private boolean recordRefusal(String instanceId, CommandRefused refused) {
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("type", refused.commandType());
    detail.put("attempt", refused.commandAttempt());
    detail.put("messageId", refused.commandMessageId().toString());
    detail.put("reason", refused.reason().name());
    detail.put("detail", refused.detail());
    try {
      auditLog.record(
          new AuditRecord(
              "agent " + instanceId,
              AuditAction.COMMAND_REFUSED,
              refused.commandMigrationId(),
              instanceId,
              detail));
    } catch (StoreException e) {
      log.warn("cannot record that instance {} refused a command, later: {}", instanceId, e);
      return false;
    }
    metrics.commandsRefused().inc();
    log.warn("the agent of instance {} refused {}", instanceId, refused.describe());
    return true;
  }

  /** Folds one event in a transaction of its own, and acks or requeues it. */
  private void handleOne(Taken pending, Envelope<Event> envelope) throws IOException {
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
      pending.ack();
    } catch (StoreException e) {
      if (e.retryable()) {
        log.warn("cannot fold {} now, requeueing it: {}", describe(envelope), e.getMessage());
        pause();
        pending.requeue();
      } else {
        log.error("the store refused {}; dropping it", describe(envelope), e);
        metrics.eventsIgnored().inc();
        pending.ack();
      }
    } catch (RuntimeException e) {
      // As QueueConsumer does for a handler that throws: requeue, keep the channel open.
      log.error("cannot fold {}; requeueing it", describe(envelope), e);
      pending.requeue();
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
      // What is not acked yet goes back to the queue, folded or not, and a repeat of a folded
      // event changes nothing.
      consumer.close();
      consumer = null;
    }
  }
}
