package io.pgshuttle.coordinator.intake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgshuttle.messages.MessageCodec;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DeadLetterRedactorTest {
  private final DeadLetterRedactor redactor = new DeadLetterRedactor();
  private final ObjectMapper mapper = new ObjectMapper();

  @Test
  void removesTheTargetPasswordFromJsonAndKeepsEverythingElse() throws Exception {
    String request =
        "{\"type\":\"MigrationRequest\",\"version\":1,\"body\":{\"requestId\":\"r-1\","
            + "\"target\":{\"host\":\"db\",\"port\":0,\"user\":\"admin\",\"password\":\"s3cret\"},"
            + "\"options\":{\"jobs\":1.50}}}";

    RedactedDeadLetter letter = redactor.redact(bytes(request), "invalid request: port 0");

    String body = text(letter.body());
    assertThat(body).doesNotContain("s3cret").doesNotContain("password");
    JsonNode tree = mapper.readTree(body);
    assertThat(tree.at("/body/target/host").asText()).isEqualTo("db");
    assertThat(tree.at("/body/target/port").asInt()).isZero();
    assertThat(tree.at("/body/requestId").asText()).isEqualTo("r-1");
    assertThat(body).contains("1.50");
    assertThat(letter.reason()).isEqualTo("invalid request: port 0");
    assertThat(letter.passwordRemoved()).isTrue();
  }

  @Test
  void keepsOnlyTheTargetFieldsThatHoldNoSecretSoAMistypedPasswordFieldGoesToo() throws Exception {
    String request =
        "{\"type\":\"MigrationRequest\",\"version\":1,\"body\":{\"requestId\":\"r-2\","
            + "\"target\":{\"host\":\"db\",\"port\":5432,\"user\":\"admin\","
            + "\"passgord\":\"typo-secret\",\"sslmode\":\"verify-full\"}}}";

    RedactedDeadLetter letter =
        redactor.redact(bytes(request), "unknown field \"passgord\": typo-secret");

    String body = text(letter.body());
    assertThat(body).doesNotContain("typo-secret").doesNotContain("passgord");
    JsonNode target = mapper.readTree(body).at("/body/target");
    assertThat(target.get("host").asText()).isEqualTo("db");
    assertThat(target.get("port").asInt()).isEqualTo(5432);
    assertThat(target.get("user").asText()).isEqualTo("admin");
    assertThat(target.get("sslmode").asText()).isEqualTo("verify-full");
    assertThat(letter.reason()).isEqualTo("unknown field \"passgord\": ******");
    assertThat(letter.passwordRemoved()).isTrue();
  }

  @Test
  void removesPasswordFieldsWhereverTheyAreAndMasksThemInTheReason() {
    String json = "[{\"Password\":{\"nested\":\"deep-secret\"}},{\"x\":{\"password\":\"pw-2\"}}]";

    RedactedDeadLetter letter =
        redactor.redact(bytes(json), "saw pw-2 and {\"nested\":\"deep-secret\"}");

    assertThat(text(letter.body())).isEqualTo("[{},{\"x\":{}}]");
    assertThat(letter.reason()).isEqualTo("saw ****** and ******");
  }

  @Test
  void readsANumberJacksonCannotHoldAsTextThatIsNotJson() {
    // A flipped digit made an exponent of 31 digits: Jackson throws NumberFormatException.
    String body = "{\"password\":\"pw-3\",\"jobs\":12084e0930208856157874810385388115}";

    RedactedDeadLetter letter = redactor.redact(bytes(body), "malformed JSON");

    assertThat(text(letter.body()))
        .isEqualTo("{\"password\":\"******\",\"jobs\":12084e0930208856157874810385388115}");
    assertThat(letter.passwordRemoved()).isTrue();
  }

  @Test
  void masksAPasswordInTextThatIsNotJson() {
    String truncated =
        "{\"type\":\"MigrationRequest\",\"body\":{\"target\":{\"password\" : \"hunter2-pw\",";

    RedactedDeadLetter letter = redactor.redact(bytes(truncated), "malformed JSON");

    assertThat(text(letter.body()))
        .doesNotContain("hunter2-pw")
        .isEqualTo(
            "{\"type\":\"MigrationRequest\",\"body\":{\"target\":{\"password\" : \"******\",");
  }

  @Test
  void masksAnUnquotedOrCutOffPasswordInTheBodyAndTheReason() {
    RedactedDeadLetter unquoted =
        redactor.redact(
            bytes("{\"body\":{\"target\":{\"password\": hunter2-pw}}}"),
            "malformed JSON: Unrecognized token 'hunter2': was expecting a value");
    RedactedDeadLetter cutOff =
        redactor.redact(bytes("{\"target\":{\"password\":\"hunter2-p"), "unexpected end");

    assertThat(text(unquoted.body())).doesNotContain("hunter2");
    assertThat(unquoted.reason()).doesNotContain("hunter2");
    assertThat(text(cutOff.body())).isEqualTo("{\"target\":{\"password\":\"******\"");
  }

  @Test
  void leavesTextWithoutPasswordAlone() {
    RedactedDeadLetter letter = redactor.redact(bytes("not json at all"), "malformed JSON");

    assertThat(text(letter.body())).isEqualTo("not json at all");
    assertThat(letter.reason()).isEqualTo("malformed JSON");
    assertThat(letter.passwordRemoved()).isFalse();
  }

  @Test
  void cutsAVeryLongReason() {
    RedactedDeadLetter letter = redactor.redact(bytes("{}"), "x".repeat(10_000));

    assertThat(letter.reason()).hasSize(DeadLetterRedactor.MAX_REASON_LENGTH).endsWith("…");
  }

  @Test
  void masksALongPasswordInTextThatIsNotJsonWithoutOverflowingTheStack() {
    String password = "p\\\"w".repeat(200_000);
    String cutOff = "{\"body\":{\"target\":{\"password\": \"" + password + "\", \"port\": 54";

    RedactedDeadLetter letter = redactor.redact(bytes(cutOff), "malformed JSON");

    assertThat(text(letter.body()))
        .isEqualTo("{\"body\":{\"target\":{\"password\": \"******\", \"port\": 54");
  }

  @Test
  void leavesOutABodyOverTheMessageLimitWithoutSearchingIt() {
    byte[] huge = new byte[MessageCodec.MAX_MESSAGE_BYTES + 1];
    Arrays.fill(huge, (byte) '[');

    RedactedDeadLetter letter = redactor.redact(huge, "message of 1048577 bytes is over the limit");

    assertThat(letter.body()).isEmpty();
    assertThat(letter.reason()).isEqualTo("message of 1048577 bytes is over the limit");
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
