package io.pgshuttle.coordinator.deadletter;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Delivery;
import io.pgshuttle.coordinator.broker.Broker;
import io.pgshuttle.coordinator.broker.QueueConsumer;
import io.pgshuttle.coordinator.intake.DeadLetterRedactor;
import io.pgshuttle.coordinator.intake.RedactedDeadLetter;
import io.pgshuttle.coordinator.store.ArrivedDeadLetter;
import io.pgshuttle.coordinator.store.Database;
import io.pgshuttle.coordinator.store.DeadLetters;
import io.pgshuttle.messages.Topology;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes the requests' dead-letter queue into the store's dead-letter registry, acknowledging
 * each message only after its row is committed (a store failure requeues it). Takes the password
 * out again before recording, since a message the broker dead-lettered by itself (say, at its
 * delivery limit) still has it. Thread-safe.
 */
@Singleton
public final class DeadLetterConsumer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DeadLetterConsumer.class);
  private static final int PREFETCH = 8;
  private static final String X_DEATH = "x-death";
  private static final String X_FIRST_DEATH_REASON = "x-first-death-reason";

  private final Broker broker;
  private final Topology topology;
  private final Database database;
  private final DeadLetters deadLetters;
  private final DeadLetterRedactor redactor;
  private final ObjectMapper mapper;
  private QueueConsumer consumer;

  @Inject
  public DeadLetterConsumer(
      Broker broker,
      Topology topology,
      Database database,
      DeadLetters deadLetters,
      DeadLetterRedactor redactor,
      ObjectMapper mapper) {
    this.broker = broker;
    this.topology = topology;
    this.database = database;
    this.deadLetters = deadLetters;
    this.redactor = redactor;
    this.mapper = mapper;
  }

  public synchronized void start() throws IOException {
    consumer =
        QueueConsumer.start(
            broker,
            topology.requestsDeadLetterQueue(),
            PREFETCH,
            "pgshuttle-coordinator-dead-letters",
            this::handle);
  }

  private void handle(Channel channel, Delivery delivery) throws IOException {
    ArrivedDeadLetter arrived = read(delivery);
    database.inTransaction(
        connection -> {
          deadLetters.record(connection, arrived);
          return null;
        });
    channel.basicAck(delivery.getEnvelope().getDeliveryTag(), false);
    log.info("recorded dead letter {} ({})", arrived.id(), arrived.reason());
  }

  private ArrivedDeadLetter read(Delivery delivery) {
    AMQP.BasicProperties properties = delivery.getProperties();
    Map<String, Object> headers =
        properties.getHeaders() == null ? Map.of() : properties.getHeaders();
    List<Map<String, Object>> deaths = deaths(headers);
    String brokerReason = text(headers.get(X_FIRST_DEATH_REASON));
    String reason = text(headers.getOrDefault(Topology.REASON_CODE_HEADER, brokerReason));
    String detail =
        text(
            headers.getOrDefault(
                Topology.REASON_HEADER,
                "dead-lettered by the broker" + (brokerReason == null ? "" : ": " + brokerReason)));
    RedactedDeadLetter letter = redactor.redact(delivery.getBody(), detail);
    JsonNode request = json(letter.body());
    return new ArrivedDeadLetter(
        id(headers, properties, delivery.getBody()),
        properties.getMessageId(),
        reason == null ? "unknown" : reason,
        letter.reason(),
        failedAt(properties, deaths),
        Math.max(1, deaths.stream().mapToInt(death -> number(death.get("count"))).sum()),
        number(headers.get(Topology.REPLAYS_HEADER)),
        request == null ? null : textOrNull(request.at("/body/requestId")),
        request == null ? null : textOrNull(request.at("/body/instanceId")),
        request,
        request == null ? new String(letter.body(), StandardCharsets.UTF_8) : null,
        letter.passwordRemoved()
            || Boolean.TRUE.equals(headers.get(Topology.PASSWORD_REMOVED_HEADER)));
  }

  /**
   * The id pgshuttle gave the dead letter; for one the broker made, an id derived from the message
   * so a redelivery is recorded once.
   */
  private static UUID id(
      Map<String, Object> headers, AMQP.BasicProperties properties, byte[] body) {
    Object given = headers.get(Topology.DEAD_LETTER_ID_HEADER);
    if (given != null) {
      try {
        return UUID.fromString(given.toString());
      } catch (IllegalArgumentException notOurs) {
        // Someone else's header: derive one as for a broker's dead letter.
      }
    }
    String messageId = properties.getMessageId();
    return UUID.nameUUIDFromBytes(
        messageId != null ? messageId.getBytes(StandardCharsets.UTF_8) : body);
  }

  /** When the request first failed: the broker's first death, else the dead letter's timestamp. */
  private static Instant failedAt(
      AMQP.BasicProperties properties, List<Map<String, Object>> deaths) {
    return deaths.stream()
        .map(death -> death.get("time"))
        .filter(Date.class::isInstance)
        .map(time -> ((Date) time).toInstant())
        .min(Instant::compareTo)
        .orElse(
            properties.getTimestamp() == null
                ? Instant.now()
                : properties.getTimestamp().toInstant());
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> deaths(Map<String, Object> headers) {
    Object deaths = headers.get(X_DEATH);
    return deaths instanceof List<?> list
        ? list.stream()
            .filter(Map.class::isInstance)
            .map(death -> (Map<String, Object>) death)
            .toList()
        : List.of();
  }

  private JsonNode json(byte[] body) {
    try {
      JsonNode tree =
          mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(body);
      return tree == null || tree.isMissingNode() ? null : tree;
    } catch (IOException notJson) {
      return null;
    }
  }

  /** Header values arrive as the client's LongString; null stays null. */
  private static String text(Object value) {
    return value == null ? null : value.toString();
  }

  private static String textOrNull(JsonNode node) {
    return node.isTextual() ? node.asText() : null;
  }

  private static int number(Object value) {
    return value instanceof Number number ? number.intValue() : 0;
  }

  @Override
  public synchronized void close() {
    if (consumer != null) {
      consumer.close();
      consumer = null;
    }
  }
}
