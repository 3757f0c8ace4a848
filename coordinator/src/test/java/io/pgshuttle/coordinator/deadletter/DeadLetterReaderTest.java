package io.pgshuttle.coordinator.deadletter;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import io.pgshuttle.coordinator.intake.DeadLetterRedactor;
import io.pgshuttle.coordinator.store.ArrivedDeadLetter;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.Topology;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Deliveries that {@link DeadLetterReaderPropertiesTest} found the consumer could not record. */
class DeadLetterReaderTest {
  private final DeadLetterReader reader =
      new DeadLetterReader(new DeadLetterRedactor(), MessageCodec.newObjectMapper());

  @Test
  void keepsABodyWithANumberNoJsonColumnHoldsAsText() {
    String body = "{\"password\":\"pw-3\",\"jobs\":12084e0930208856157874810385388115}";

    ArrivedDeadLetter letter = reader.read(properties(Map.of()), body.getBytes(UTF_8));

    assertThat(letter.request()).isNull();
    assertThat(letter.rawBody())
        .isEqualTo("{\"password\":\"******\",\"jobs\":12084e0930208856157874810385388115}");
    assertThat(letter.passwordRemoved()).isTrue();
  }

  @Test
  void keepsNumbersAsWritten() {
    String body = "{\"jobs\":1e400,\"verify\":0.10000000000000000000001}";

    ArrivedDeadLetter letter = reader.read(properties(Map.of()), body.getBytes(UTF_8));

    assertThat(letter.request().toString()).isEqualTo(body.replace("1e400", "1E+400"));
  }

  @Test
  void takesANullReasonHeaderAsNoneAndANegativeReplayCountAsZero() {
    Map<String, Object> headers = new HashMap<>();
    headers.put(Topology.REASON_HEADER, null);
    headers.put(Topology.REASON_CODE_HEADER, null);
    headers.put("x-first-death-reason", "delivery_limit");
    headers.put(Topology.REPLAYS_HEADER, -1);

    ArrivedDeadLetter letter = reader.read(properties(headers), "{}".getBytes(UTF_8));

    assertThat(letter.reason()).isEqualTo("delivery_limit");
    assertThat(letter.detail()).isEqualTo("dead-lettered by the broker: delivery_limit");
    assertThat(letter.replays()).isZero();
  }

  private static AMQP.BasicProperties properties(Map<String, Object> headers) {
    return new AMQP.BasicProperties.Builder().headers(headers).messageId("m-1").build();
  }
}
