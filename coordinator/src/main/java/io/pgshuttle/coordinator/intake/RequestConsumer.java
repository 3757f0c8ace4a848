package io.pgshuttle.coordinator.intake;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.ShutdownSignalException;
import io.pgshuttle.amqp.AmqpException;
import io.pgshuttle.amqp.PublishOutcome;
import io.pgshuttle.coordinator.CoordinatorMetrics;
import io.pgshuttle.coordinator.broker.BatchingConsumer;
import io.pgshuttle.coordinator.broker.BatchingConsumer.Taken;
import io.pgshuttle.coordinator.broker.Broker;
import io.pgshuttle.coordinator.intake.IntakeOutcome.Rejected;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MessageDecodingException;
import io.pgshuttle.messages.MigrationRequest;
import io.pgshuttle.messages.Topology;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes the requests queue with manual acknowledgements. A request that cannot be read, is
 * invalid, or names an instance that has a live migration is dead-lettered with a reason in the
 * {@link Topology#REASON_HEADER} header, its password removed, and acknowledged; a duplicate is
 * acknowledged. Requests are taken in batches ({@link BatchingConsumer}): up to {@link #BATCH} that
 * have arrived are recorded in one store transaction and acknowledged with one ack after its
 * commit; a refused request is dead-lettered on its own and does not hold up the others. When
 * processing fails (store or broker trouble) the batch's requests are taken one by one, each
 * failing request is requeued, and on its last delivery before the broker's delivery limit it is
 * dead-lettered here instead, so the dead letter carries a reason and no password. Thread-safe.
 */
@Singleton
public final class RequestConsumer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RequestConsumer.class);

  /** Most requests recorded in one store transaction. */
  static final int BATCH = 100;

  private static final String DELIVERY_COUNT_HEADER = "x-delivery-count";
  private static final String MALFORMED = "malformed";
  private static final String DELIVERY_LIMIT = "delivery_limit";

  private final Broker broker;
  private final Topology topology;
  private final MessageCodec codec;
  private final MigrationIntake intake;
  private final DeadLetterRedactor redactor;
  private final CoordinatorMetrics metrics;
  private BatchingConsumer consumer;

  @Inject
  public RequestConsumer(
      Broker broker,
      Topology topology,
      MessageCodec codec,
      MigrationIntake intake,
      DeadLetterRedactor redactor,
      CoordinatorMetrics metrics) {
    this.broker = broker;
    this.topology = topology;
    this.codec = codec;
    this.intake = intake;
    this.redactor = redactor;
    this.metrics = metrics;
  }

  public synchronized void start() throws IOException {
    consumer =
        BatchingConsumer.start(
            broker,
            topology.requestsQueue(),
            BATCH,
            "pgshuttle-coordinator-requests",
            "pgshuttle-intake",
            this::handleBatch);
  }

  /**
   * Records the batch's requests in one transaction, dead-letters each refused one on its own, and
   * acks the others with one ack once the transaction committed. If the transaction fails, each
   * request is handled on its own, as {@link #handle} does.
   */
  private void handleBatch(List<Taken> batch) throws IOException {
    Refusal[] refusals = new Refusal[batch.size()];
    List<Integer> readable = new ArrayList<>(batch.size());
    List<MigrationRequest> requests = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      try {
        requests.add(
            codec.decode(batch.get(i).delivery().getBody(), MigrationRequest.class).payload());
        readable.add(i);
      } catch (MessageDecodingException e) {
        refusals[i] = malformed(e);
      }
    }
    List<IntakeOutcome> outcomes;
    try {
      outcomes = intake.submitAll(requests);
    } catch (RuntimeException e) {
      log.debug(
          "a batch of {} requests failed ({}); taking them one by one", batch.size(), e.toString());
      for (Taken taken : batch) {
        handle(taken);
      }
      return;
    }
    for (int j = 0; j < outcomes.size(); j++) {
      refusals[readable.get(j)] = refusal(outcomes.get(j)).orElse(null);
    }
    List<Taken> handled = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      Taken taken = batch.get(i);
      if (refusals[i] == null) {
        handled.add(taken);
        continue;
      }
      try {
        deadLetter(taken.delivery(), refusals[i].code(), refusals[i].reason());
        handled.add(taken);
      } catch (RuntimeException e) {
        failed(taken, e);
      }
    }
    Taken.ackAll(handled);
  }

  /** Handles one request on its own and acks, dead-letters or requeues it. */
  private void handle(Taken taken) throws IOException {
    try {
      Optional<Refusal> refusal = refusal(taken.delivery().getBody());
      if (refusal.isPresent()) {
        deadLetter(taken.delivery(), refusal.get().code(), refusal.get().reason());
      }
      taken.ack();
    } catch (RuntimeException e) {
      failed(taken, e);
    }
  }

  /** Requeues a request that could not be processed, or dead-letters it on its last delivery. */
  private void failed(Taken taken, RuntimeException cause) throws IOException {
    if (isLastDelivery(taken.delivery())) {
      deadLetterAfterFailures(taken, cause);
    } else {
      log.warn("cannot process a request now, requeueing it: {}", cause.getMessage());
      taken.requeue();
    }
  }

  /** Why the request is refused, or empty when it was recorded or is a duplicate. */
  private Optional<Refusal> refusal(byte[] body) {
    Envelope<MigrationRequest> envelope;
    try {
      envelope = codec.decode(body, MigrationRequest.class);
    } catch (MessageDecodingException e) {
      return Optional.of(malformed(e));
    }
    return refusal(intake.submit(envelope.payload()));
  }

  private static Refusal malformed(MessageDecodingException e) {
    return new Refusal(MALFORMED, "cannot read the request: " + e.getMessage());
  }

  private static Optional<Refusal> refusal(IntakeOutcome outcome) {
    return outcome instanceof Rejected rejected
        ? Optional.of(
            new Refusal(rejected.kind().name().toLowerCase(Locale.ROOT), rejected.reason()))
        : Optional.empty();
  }

  /** A reason code for {@link Topology#REASON_CODE_HEADER} and the sentence behind it. */
  private record Refusal(String code, String reason) {}

  private boolean isLastDelivery(Delivery delivery) {
    Map<String, Object> headers = delivery.getProperties().getHeaders();
    Object count = headers == null ? null : headers.get(DELIVERY_COUNT_HEADER);
    // The broker counts earlier deliveries; past the limit it dead-letters by itself.
    return count instanceof Number number && number.longValue() >= Topology.REQUEST_DELIVERY_LIMIT;
  }

  private void deadLetterAfterFailures(Taken taken, RuntimeException cause) throws IOException {
    try {
      deadLetter(
          taken.delivery(),
          DELIVERY_LIMIT,
          "could not be processed in "
              + (Topology.REQUEST_DELIVERY_LIMIT + 1)
              + " deliveries, last because: "
              + cause.getMessage()
              + ". Fix the coordinator's store or broker, then replay the request");
      taken.ack();
    } catch (AmqpException | ShutdownSignalException e) {
      log.warn("cannot dead-letter a request; the broker will: {}", e.getMessage());
      taken.requeue();
    }
  }

  /**
   * Publishes the request without its password to the dead-letter exchange. A replayed request
   * keeps its dead-letter id and replay count, so the registry updates the entry it came from.
   *
   * @throws AmqpException if the broker did not take it
   */
  private void deadLetter(Delivery delivery, String code, String reason) {
    RedactedDeadLetter letter = redactor.redact(delivery.getBody(), reason);
    AMQP.BasicProperties original = delivery.getProperties();
    Map<String, Object> received = original.getHeaders() == null ? Map.of() : original.getHeaders();
    Map<String, Object> headers = new HashMap<>();
    headers.put(Topology.REASON_HEADER, letter.reason());
    headers.put(Topology.REASON_CODE_HEADER, code);
    headers.put(
        Topology.DEAD_LETTER_ID_HEADER,
        String.valueOf(
            received.getOrDefault(Topology.DEAD_LETTER_ID_HEADER, UUID.randomUUID().toString())));
    if (received.get(Topology.REPLAYS_HEADER) instanceof Number replays) {
      headers.put(Topology.REPLAYS_HEADER, replays.intValue());
    }
    if (letter.passwordRemoved()) {
      headers.put(Topology.PASSWORD_REMOVED_HEADER, true);
    }
    AMQP.BasicProperties properties =
        new AMQP.BasicProperties.Builder()
            .contentType(original.getContentType())
            .deliveryMode(2)
            .messageId(
                original.getMessageId() != null
                    ? original.getMessageId()
                    : UUID.randomUUID().toString())
            .type(original.getType())
            .timestamp(new Date())
            .headers(headers)
            .build();
    PublishOutcome outcome =
        broker
            .publisher()
            .publishRaw(
                topology.requestsDeadLetterExchange(),
                topology.requestsQueue(),
                properties,
                letter.body(),
                true);
    if (outcome == PublishOutcome.UNROUTABLE) {
      throw new AmqpException(
          "no queue is bound to "
              + topology.requestsDeadLetterExchange()
              + ": declare "
              + topology.requestsDeadLetterQueue());
    }
    metrics.requestsDeadLettered().inc();
    log.warn("dead-lettered a request: {}", letter.reason());
  }

  @Override
  public synchronized void close() {
    if (consumer != null) {
      consumer.close();
      consumer = null;
    }
  }
}
