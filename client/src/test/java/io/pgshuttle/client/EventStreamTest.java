package io.pgshuttle.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pgshuttle.client.internal.HttpCall;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.StepStarted;
import io.pgshuttle.messages.StepSucceeded;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The SSE stream over a transport without I/O: parsing, decoding and resumption. */
class EventStreamTest {
  private static final MigrationId ID = MigrationId.forRequest("req-1");
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final MessageCodec codec = new MessageCodec();
  private final RecordingTransport transport = new RecordingTransport();
  private final PgShuttleClient client =
      new PgShuttleClient(
          PgShuttleClient.builder()
              .coordinatorUri("http://coordinator:8080")
              .bearerToken("read-token")
              .eventStreamReconnectDelay(Duration.ofMillis(1)),
          transport);

  @Test
  void aDroppedStreamResumesAfterTheLastEventWithNothingRepeated() throws Exception {
    transport.answer(
        200,
        ": keepalive\n"
            + "retry: 5\n"
            + event(7, "StepStarted", new StepStarted(Step.PREFLIGHT), 1)
            + event(8, "StepSucceeded", new StepSucceeded(Step.PREFLIGHT, 12L, "ok"), 2));
    transport.answer(200, event(9, "StepStarted", new StepStarted(Step.PROVISION_DISK), 3));

    List<StreamedEvent> events = new ArrayList<>();
    try (EventStream stream = client.streamEvents(EventSelector.migration(ID), null)) {
      for (int i = 0; i < 3; i++) {
        events.add(stream.next(WAIT).orElseThrow());
      }
      assertThat(stream.lastEventId()).hasValue(9);
    }

    assertThat(events).extracting(StreamedEvent::position).containsExactly(7L, 8L, 9L);
    assertThat(events)
        .extracting(StreamedEvent::type)
        .containsExactly("StepStarted", "StepSucceeded", "StepStarted");
    assertThat(events.get(1).envelope().payload())
        .isEqualTo(new StepSucceeded(Step.PREFLIGHT, 12L, "ok"));
    assertThat(events.get(2).envelope().seq()).isEqualTo(3);
    List<HttpCall> calls = transport.calls();
    HttpCall first = calls.get(0);
    assertThat(first.uri()).hasToString("http://coordinator:8080/v1/migrations/" + ID + "/events");
    assertThat(first.headers())
        .containsEntry("Accept", "text/event-stream")
        .containsEntry("Authorization", "Bearer read-token")
        .doesNotContainKey("Last-Event-ID");
    assertThat(calls.get(1).headers()).containsEntry("Last-Event-ID", "8");
  }

  @Test
  void aStreamOpenedAfterAPositionSendsItAndFiltersGoInTheQuery() throws Exception {
    transport.answer(200, event(42, "StepStarted", new StepStarted(Step.DUMP), 4));

    try (EventStream stream =
        client.streamEvents(
            EventSelector.all().withInstance("vm-0001").withType("StepStarted"), 41L)) {
      assertThat(stream.lastEventId()).hasValue(41);
      assertThat(stream.next(WAIT).orElseThrow().position()).isEqualTo(42);
    }

    HttpCall call = transport.calls().get(0);
    assertThat(call.uri())
        .hasToString("http://coordinator:8080/v1/events?instance=vm-0001&type=StepStarted");
    assertThat(call.headers()).containsEntry("Last-Event-ID", "41");
  }

  @Test
  void aStreamOfNewEventsAsksForLatestAndResumesAfterWhereItStarted() throws Exception {
    // The first connection says where it starts and drops before any event.
    transport.answer(200, "id: 100\n\n: keepalive\n\n");
    transport.answer(200, event(101, "StepStarted", new StepStarted(Step.DUMP), 5));

    try (EventStream stream = client.streamNewEvents(EventSelector.all().withInstance("vm-0001"))) {
      assertThat(stream.lastEventId()).isEmpty();
      assertThat(stream.next(WAIT).orElseThrow().position()).isEqualTo(101);
      assertThat(stream.lastEventId()).hasValue(101);
    }

    List<HttpCall> calls = transport.calls();
    assertThat(calls.get(0).uri())
        .hasToString("http://coordinator:8080/v1/events?instance=vm-0001&after=latest");
    assertThat(calls.get(0).headers()).doesNotContainKey("Last-Event-ID");
    // The coordinator takes the header over after=latest.
    assertThat(calls.get(1).headers()).containsEntry("Last-Event-ID", "100");
  }

  @Test
  void lastEventIdOfANewEventsStreamIsWhereItStartedUntilAnEventComes() throws Exception {
    transport.answer(200, "id: 100\n\n");

    try (EventStream stream = client.streamNewEvents(EventSelector.all())) {
      await()
          .atMost(WAIT)
          .until(
              () ->
                  stream.next(Duration.ofMillis(50)).isEmpty() && stream.lastEventId().isPresent());
      assertThat(stream.lastEventId()).hasValue(100);
    }
  }

  @Test
  void anUndecodableEventIsReportedAndTheStreamGoesOn() throws Exception {
    transport.answer(
        200,
        "id: 1\nevent: StepStarted\ndata: {\"type\": \"NoSuchType\"}\n\n"
            + event(2, "StepStarted", new StepStarted(Step.DUMP), 1));

    try (EventStream stream = client.streamEvents(EventSelector.migration(ID), null)) {
      assertThatThrownBy(() -> stream.next(WAIT))
          .isInstanceOf(PermanentClientException.class)
          .hasMessageContaining("event 1 of GET http://coordinator:8080/v1/migrations/")
          .hasMessageContaining("unknown message type 'NoSuchType'");
      assertThat(stream.next(WAIT).orElseThrow().position()).isEqualTo(2);
    }
  }

  @Test
  void aRefusedStreamEndsWithTheCoordinatorsError() throws Exception {
    transport.answer(403, "{\"error\": \"token 'dashboard' may not read events\"}");

    try (EventStream stream = client.streamEvents(EventSelector.all(), null)) {
      assertThatThrownBy(() -> stream.next(WAIT))
          .isInstanceOfSatisfying(
              PermanentClientException.class, e -> assertThat(e.httpStatus()).hasValue(403));
      assertThatThrownBy(() -> stream.next(WAIT)).isInstanceOf(IllegalStateException.class);
    }
    assertThat(transport.calls()).hasSize(1);
  }

  @Test
  void aMigrationStreamTakesNoFilters() {
    assertThatThrownBy(() -> EventSelector.migration(ID).withType("StepStarted"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("select all() events to filter");
  }

  private String event(long position, String type, io.pgshuttle.messages.Event payload, long seq) {
    String json =
        new String(
            codec.encode(Envelope.of("vm-0001", ID, 1, seq, payload)), StandardCharsets.UTF_8);
    return "id: " + position + "\nevent: " + type + "\ndata: " + json + "\n\n";
  }
}
