package io.pgshuttle.coordinator.deadletter;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.rabbitmq.client.AMQP;
import io.pgshuttle.coordinator.intake.DeadLetterRedactor;
import io.pgshuttle.coordinator.intake.RedactedDeadLetter;
import io.pgshuttle.coordinator.store.ArrivedDeadLetter;
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

/**
 * Reads a delivery off the requests' dead-letter queue as the row to record: the reason pgshuttle
 * or the broker gave, the body without its password (taken out again, since a message the broker
 * dead-lettered by itself, say at its delivery limit, still has it), the request's ids when it is
 * JSON, when and how often it failed. A header that is missing, null or of an unexpected type or
 * shape counts as absent. Touches nothing; thread-safe.
 */
@Singleton
public final class DeadLetterReader {
  private static final String X_DEATH = "x-death";
  private static final String X_FIRST_DEATH_REASON = "x-first-death-reason";

  private final DeadLetterRedactor redactor;
  private final ObjectMapper mapper;

  @Inject
  public DeadLetterReader(DeadLetterRedactor redactor, ObjectMapper mapper) {
    this.redactor = redactor;
    this.mapper = mapper;
  }

  /** The dead letter that arrived as {@code body} with {@code properties}; throws nothing. */
  public ArrivedDeadLetter read(AMQP.BasicProperties properties, byte[] body) {
    Map<String, Object> headers =
        properties.getHeaders() == null ? Map.of() : properties.getHeaders();
    List<Map<String, Object>> deaths = deaths(headers);
    String brokerReason = text(headers.get(X_FIRST_DEATH_REASON));
    // A header present with a null value (an AMQP void) counts as absent, like any other.
    String reason = text(headers.get(Topology.REASON_CODE_HEADER));
    String detail = text(headers.get(Topology.REASON_HEADER));
    RedactedDeadLetter letter =
        redactor.redact(
            body,
            detail != null
                ? detail
                : "dead-lettered by the broker"
                    + (brokerReason == null ? "" : ": " + brokerReason));
    JsonNode request = json(letter.body());
    return new ArrivedDeadLetter(
        id(headers, properties, body),
        properties.getMessageId(),
        reason != null ? reason : brokerReason != null ? brokerReason : "unknown",
        letter.reason(),
        failedAt(properties, deaths),
        Math.max(1, deaths.stream().mapToInt(death -> number(death.get("count"))).sum()),
        // The table takes no negative count: a hostile or overflowing header counts as none.
        Math.max(0, number(headers.get(Topology.REPLAYS_HEADER))),
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

  /**
   * The body as JSON, its numbers as written (as doubles, 1e400 would be stored as "Infinity"), or
   * null when it is not JSON or holds a number too long for a BigDecimal.
   */
  private JsonNode json(byte[] body) {
    try {
      JsonNode tree =
          mapper
              .reader()
              .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
              .with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
              .without(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
              .readTree(body);
      return tree == null || tree.isMissingNode() ? null : tree;
    } catch (IOException | NumberFormatException notJson) {
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
}
