package io.pgshuttle.coordinator.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.impl.LongStringHelper;
import io.pgshuttle.coordinator.intake.DeadLetterRedactor;
import io.pgshuttle.coordinator.store.ArrivedDeadLetter;
import io.pgshuttle.messages.HostileMessages;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MigrationRequest;
import io.pgshuttle.messages.Topology;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * What the dead-letter consumer does with a delivery before the store ({@link DeadLetterReader}):
 * for every body ({@link HostileMessages} made from requests, valid and mutated) and every set of
 * headers (pgshuttle's and the broker's, each missing, null, of another type or, for {@code
 * x-death}, of another shape), the reader returns a row the table takes: a reason and a detail
 * without the password, a body without it (unless a mutation hid it from any reader), a delivery
 * count of at least 1, replays of at least 0, the body as JSON or as text, and the same id when the
 * same delivery comes again. jqwik draws a new seed each run and prints the one that reproduces a
 * failure.
 */
class DeadLetterReaderPropertiesTest {
  private static final Instant FIRST_DEATH = Instant.parse("2026-11-26T10:00:00Z");
  private static final Pattern PASSWORD_FIELD =
      Pattern.compile("\"(?i:password)\":\"" + Pattern.quote(HostileMessages.PASSWORD) + "\"");

  private final DeadLetterReader reader =
      new DeadLetterReader(new DeadLetterRedactor(), MessageCodec.newObjectMapper());

  @Provide
  Arbitrary<byte[]> bodies() {
    return HostileMessages.bodies(MigrationRequest.class);
  }

  @Property(tries = 10_000)
  void everyDeadLetterBecomesARowTheTableTakes(@ForAll("bodies") byte[] body, @ForAll Random random)
      throws IOException {
    Map<String, Object> headers = random.nextInt(10) == 0 ? null : headers(random);
    AMQP.BasicProperties properties =
        new AMQP.BasicProperties.Builder()
            .headers(headers)
            .messageId(pick(random, null, "message-1", UUID.randomUUID().toString()))
            .timestamp(random.nextBoolean() ? null : Date.from(FIRST_DEATH.plusSeconds(60)))
            .build();

    ArrivedDeadLetter letter = reader.read(properties, body);

    assertThat(letter.reason()).isNotNull();
    assertThat(letter.detail()).isNotNull().hasSizeLessThanOrEqualTo(4000);
    assertThat(letter.detail()).doesNotContain(HostileMessages.PASSWORD);
    assertThat(letter.deliveryCount()).isGreaterThanOrEqualTo(1);
    assertThat(letter.replays()).isGreaterThanOrEqualTo(0);
    assertThat(letter.failedAt()).isNotNull();
    assertThat(letter.request() == null).isNotEqualTo(letter.rawBody() == null);
    String stored = letter.request() != null ? letter.request().toString() : letter.rawBody();
    if (letter.request() != null) {
      // The column is json: what is stored must read back as JSON.
      assertThat(MessageCodec.newObjectMapper().readTree(stored)).isNotNull();
    }
    assertThat(count(stored, HostileMessages.PASSWORD))
        .as("passwords left in the row")
        .isLessThanOrEqualTo(passwordsOutsidePasswordFields(body));
    assertThat(reader.read(properties, body).id()).isEqualTo(letter.id());
    Object given = headers == null ? null : headers.get(Topology.DEAD_LETTER_ID_HEADER);
    if (given != null && isUuid(given.toString())) {
      assertThat(letter.id()).isEqualTo(UUID.fromString(given.toString()));
    }
    Object code = headers == null ? null : headers.get(Topology.REASON_CODE_HEADER);
    if (code != null) {
      assertThat(letter.reason()).isEqualTo(code.toString());
    }
    if (headers != null && headers.get("x-death") instanceof List<?> deaths) {
      Optional<Instant> firstDeath =
          deaths.stream()
              .filter(Map.class::isInstance)
              .map(death -> ((Map<?, ?>) death).get("time"))
              .filter(Date.class::isInstance)
              .map(time -> ((Date) time).toInstant())
              .min(Instant::compareTo);
      firstDeath.ifPresent(time -> assertThat(letter.failedAt()).isEqualTo(time));
    }
  }

  /** Each header pgshuttle or the broker sets, present or not, as it should be or not. */
  private static Map<String, Object> headers(Random random) {
    Map<String, Object> headers = new HashMap<>();
    maybe(
        headers,
        random,
        Topology.DEAD_LETTER_ID_HEADER,
        text(random, UUID.randomUUID().toString()),
        "not-a-uuid",
        42,
        "1-1-1-1-1");
    maybe(
        headers,
        random,
        Topology.REASON_CODE_HEADER,
        text(random, "malformed"),
        7L,
        List.of("x"),
        hostile(random));
    maybe(
        headers,
        random,
        Topology.REASON_HEADER,
        text(random, "cannot read the request: unexpected end"),
        3.5,
        hostile(random),
        "x".repeat(100_000));
    maybe(
        headers,
        random,
        "x-first-death-reason",
        text(random, "delivery_limit"),
        1,
        hostile(random));
    maybe(
        headers,
        random,
        Topology.REPLAYS_HEADER,
        2,
        -1,
        Long.MAX_VALUE,
        new BigDecimal("1e40"),
        "3",
        true);
    maybe(headers, random, Topology.PASSWORD_REMOVED_HEADER, true, false, "true", 1);
    maybe(
        headers,
        random,
        "x-death",
        deaths(random),
        "rejected",
        List.of("a", 1),
        Map.of("count", 1),
        List.of(deaths(random), deaths(random)));
    return headers;
  }

  /** An x-death list as the broker writes it, with fields missing or of other types. */
  private static List<Object> deaths(Random random) {
    List<Object> deaths = new ArrayList<>();
    for (int i = random.nextInt(4); i > 0; i--) {
      Map<String, Object> death = new HashMap<>();
      maybe(
          death,
          random,
          "count",
          1L + random.nextInt(5),
          Integer.MAX_VALUE,
          -3,
          "2",
          new BigDecimal("1e30"));
      maybe(
          death,
          random,
          "time",
          Date.from(FIRST_DEATH.plusSeconds(random.nextInt(3600))),
          "2026-11-26T10:00:00Z",
          FIRST_DEATH.getEpochSecond(),
          new Date(Long.MIN_VALUE));
      maybe(death, random, "reason", text(random, "rejected"), 5);
      deaths.add(death);
    }
    return deaths;
  }

  /** Puts one of {@code values} (or null) under {@code name}, or leaves it out, at random. */
  private static void maybe(
      Map<String, Object> headers, Random random, String name, Object... values) {
    int pick = random.nextInt(values.length + 2);
    if (pick < values.length) {
      headers.put(name, values[pick]);
    } else if (pick == values.length) {
      headers.put(name, null);
    }
  }

  /** {@code value} as the client reads header strings (a LongString), or as a String. */
  private static Object text(Random random, String value) {
    return random.nextBoolean() ? LongStringHelper.asLongString(value) : value;
  }

  private static String hostile(Random random) {
    return pick(random, HostileMessages.HOSTILE_STRINGS.toArray(String[]::new));
  }

  @SafeVarargs
  private static <T> T pick(Random random, T... values) {
    return values[random.nextInt(values.length)];
  }

  /**
   * How often the body holds the password other than as the value of a field named password: a
   * mutation may have renamed the field or moved the value, and then nothing can tell it is one.
   */
  private static int passwordsOutsidePasswordFields(byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8);
    return count(text, HostileMessages.PASSWORD)
        - (int) PASSWORD_FIELD.matcher(text).results().count();
  }

  private static int count(String text, String part) {
    int count = 0;
    for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
      count++;
    }
    return count;
  }

  private static boolean isUuid(String text) {
    try {
      UUID.fromString(text);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
