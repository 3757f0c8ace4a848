package io.pgshuttle.coordinator.intake;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.HostileMessages;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MessageDecodingException;
import io.pgshuttle.messages.MigrationRequest;
import java.io.IOException;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * What the request consumer does with a body before the store: read it as a MigrationRequest,
 * validate it, and dead-letter a refused one through the {@link DeadLetterRedactor}. For every body
 * each step ends cleanly, and a dead letter of a body that is JSON holds the password nowhere.
 */
class RequestRefusalPropertiesTest {
  private final MessageCodec codec = new MessageCodec();
  private final DeadLetterRedactor redactor = new DeadLetterRedactor();
  private final ObjectMapper mapper = MessageCodec.newObjectMapper();

  @Provide
  Arbitrary<byte[]> bodies() {
    return HostileMessages.bodies();
  }

  @Property(tries = 10_000)
  void everyBodyIsRecordedOrDeadLetteredWithoutItsPassword(@ForAll("bodies") byte[] body) {
    String reason;
    try {
      Envelope<MigrationRequest> envelope = codec.decode(body, MigrationRequest.class);
      List<String> problems = envelope.payload().problems();
      if (problems.isEmpty()) {
        return;
      }
      reason = "invalid request: " + String.join("; ", problems);
    } catch (MessageDecodingException e) {
      reason = "cannot read the request: " + e.getMessage();
    }

    RedactedDeadLetter letter = redactor.redact(body, reason);

    assertThat(letter.reason()).isNotBlank().hasSizeLessThanOrEqualTo(4000);
    if (isJson(body)) {
      assertThat(new String(letter.body(), UTF_8)).doesNotContain(HostileMessages.PASSWORD);
      assertThat(letter.reason()).doesNotContain(HostileMessages.PASSWORD);
    }
  }

  private boolean isJson(byte[] body) {
    try {
      mapper.readTree(body);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
