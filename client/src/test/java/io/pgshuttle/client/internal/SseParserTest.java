package io.pgshuttle.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseParserTest {
  private final SseParser parser = new SseParser();

  private List<SseParser.Message> feed(String... lines) {
    List<SseParser.Message> messages = new ArrayList<>();
    for (String line : lines) {
      parser.line(line).ifPresent(messages::add);
    }
    return messages;
  }

  @Test
  void fieldsMakeAnEventThatABlankLineDispatches() {
    assertThat(feed("id: 12", "event: StepStarted", "data: {\"a\": 1}", ""))
        .containsExactly(new SseParser.Message("12", "StepStarted", "{\"a\": 1}"));
  }

  @Test
  void dataLinesJoinWithLineFeedsAndOneLeadingSpaceGoes() {
    assertThat(feed("data:first", "data:  second", "data", ""))
        .containsExactly(new SseParser.Message(null, "message", "first\n second\n"));
  }

  @Test
  void commentsAndUnknownFieldsAreIgnoredAndBlankLinesWithoutDataDispatchNothing() {
    assertThat(feed(": keepalive", "", "foo: bar", "event: Lonely", "", "data: x", ""))
        .containsExactly(new SseParser.Message(null, "message", "x"));
  }

  @Test
  void theIdStaysUntilTheStreamSetsAnotherAndTheEventTypeDoesNot() {
    assertThat(feed("id: 5", "event: A", "data: 1", "", "data: 2", "", "id", "data: 3", ""))
        .containsExactly(
            new SseParser.Message("5", "A", "1"),
            new SseParser.Message("5", "message", "2"),
            new SseParser.Message("", "message", "3"));
  }

  @Test
  void aFrameThatOnlySetsTheIdSaysSoWithoutData() {
    assertThat(feed("id: 100", "", ": keepalive", "", "id: 101", "data: x", ""))
        .containsExactly(
            new SseParser.Message("100", "message", null),
            new SseParser.Message("101", "message", "x"));
  }

  @Test
  void retryTakesOnlyDigits() {
    feed("retry: 2500");
    feed("retry: soon");
    assertThat(parser.retryMillis()).isEqualTo(2500);
  }
}
