package io.pgshuttle.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgshuttle.coordinator.ApiClient.Reply;
import io.pgshuttle.coordinator.EventStreamClient.Sse;
import io.pgshuttle.coordinator.status.MigrationState;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.MigrationRequest;
import io.pgshuttle.messages.MigrationSucceeded;
import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.StepProgress;
import io.pgshuttle.messages.StepStarted;
import io.pgshuttle.messages.StepSucceeded;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The event streams, with the real store and broker; a fake agent emits the events. */
// Streams block while they wait for events: a broken stream must fail the test, not hang it.
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class EventStreamsIT extends WithCoordinatorFixture {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private final ObjectMapper mapper = new ObjectMapper();
  private ApiClient api;

  @BeforeEach
  void startCoordinator() {
    api = new ApiClient(fixture.start().httpPort());
  }

  private MigrationId dispatch(FakeAgent agent, String requestId) throws Exception {
    MigrationRequest request =
        CoordinatorFixture.request(requestId, agent.instanceId(), "stream-pw");
    fixture.publishRequest(request);
    agent.awaitCommand(WAIT);
    return request.migrationId();
  }

  /** The stored events that {@code where} selects, as a stream sends them, by position. */
  private List<Sse> stored(String where) {
    List<Sse> events = new ArrayList<>();
    for (List<String> row :
        fixture.cluster.query(
            fixture.storeDatabase,
            "SELECT e.position, e.type, e.envelope::text FROM pgshuttle.events e"
                + " JOIN pgshuttle.migrations m ON m.migration_id = e.migration_id WHERE "
                + where
                + " ORDER BY e.position")) {
      events.add(new Sse(row.get(0), row.get(1), row.get(2)));
    }
    return events;
  }

  private long storedCount(String where) {
    return stored(where).size();
  }

  private List<Long> seqs(List<Sse> events) throws Exception {
    List<Long> seqs = new ArrayList<>();
    for (Sse event : events) {
      seqs.add(mapper.readTree(event.data()).get("seq").asLong());
    }
    return seqs;
  }

  @Test
  void aClientThatReconnectsWithLastEventIdEndsWithEveryEventOnceInOrder() throws Exception {
    FakeAgent agent = fixture.agent("vm-resume");
    MigrationId id = dispatch(agent, "req-resume");
    agent.emit(id, 1, 1, new StepStarted(Step.PREFLIGHT));
    agent.emit(id, 1, 2, new StepSucceeded(Step.PREFLIGHT, 20, "ok"));
    agent.emit(id, 1, 3, new StepStarted(Step.DUMP));

    List<Sse> seen = new ArrayList<>();
    try (EventStreamClient stream = api.stream("/v1/migrations/" + id + "/events", null)) {
      assertThat(stream.status()).isEqualTo(200);
      assertThat(stream.contentType()).startsWith("text/event-stream");
      seen.addAll(stream.next(2));
    }
    // While the client is away.
    agent.emit(id, 1, 4, new StepProgress(Step.DUMP, 50.0, 500L, 1000L, null, null, null, 12L));
    agent.emit(id, 1, 5, new StepSucceeded(Step.DUMP, 3000, "1 database"));

    String lastEventId = seen.get(seen.size() - 1).id();
    try (EventStreamClient stream = api.stream("/v1/migrations/" + id + "/events", lastEventId)) {
      seen.addAll(stream.next(3));
      // Live, on the same connection.
      agent.emit(id, 1, 6, new MigrationSucceeded(List.of("app"), "verified"));
      seen.add(stream.next());
    }

    await().atMost(WAIT).until(() -> fixture.state(id) == MigrationState.SUCCEEDED);
    assertThat(seen).containsExactlyElementsOf(stored("e.migration_id = '" + id + "'"));
    assertThat(seqs(seen)).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    assertThat(seen)
        .extracting(Sse::event)
        .containsExactly(
            "StepStarted",
            "StepSucceeded",
            "StepStarted",
            "StepProgress",
            "StepSucceeded",
            "MigrationSucceeded");
    assertThat(mapper.readTree(seen.get(3).data()).at("/body/etaSeconds").asLong()).isEqualTo(12L);
  }

  @Test
  void liveEventsArriveOnAnOpenStreamAndAQuietOneGetsKeepalives() throws Exception {
    try (EventStreamClient stream = api.stream("/v1/events?instance=vm-live", null)) {
      assertThat(stream.status()).isEqualTo(200);
      FakeAgent agent = fixture.agent("vm-live");
      MigrationId id = dispatch(agent, "req-live");
      agent.emit(id, 1, 1, new StepStarted(Step.PREFLIGHT));

      Sse live = stream.next();
      assertThat(live.event()).isEqualTo("StepStarted");
      assertThat(List.of(live)).containsExactlyElementsOf(stored("m.instance_id = 'vm-live'"));
      assertThat(stream.nextLine()).isEqualTo(": keepalive");
    }
  }

  @Test
  void allEventsStreamInOrderAndFiltersByInstanceAndTypeLeaveOthersOut() throws Exception {
    // vm-gone has no agent: its migration fails first, so its event comes before vm-a's and
    // would show at the head of a stream whose filter let it through.
    fixture.publishRequest(CoordinatorFixture.request("req-gone", "vm-gone", "pw"));
    await()
        .atMost(WAIT)
        .until(() -> fixture.state(MigrationId.forRequest("req-gone")) == MigrationState.FAILED);
    FakeAgent agent = fixture.agent("vm-a");
    MigrationId id = dispatch(agent, "req-a");
    agent.emit(id, 1, 1, new StepStarted(Step.PREFLIGHT));
    agent.emit(id, 1, 2, new StepProgress(Step.PREFLIGHT, 50.0, null, null, null, null, null));
    await().atMost(WAIT).until(() -> storedCount("m.instance_id = 'vm-a'") == 2);

    List<Sse> all = stored("true");
    assertThat(all).extracting(Sse::event).contains("MigrationFailed", "StepProgress");
    try (EventStreamClient stream = api.stream("/v1/events", null)) {
      assertThat(stream.next(all.size())).containsExactlyElementsOf(all);
    }
    try (EventStreamClient stream = api.stream("/v1/events?instance=vm-a", null)) {
      assertThat(stream.next(2)).containsExactlyElementsOf(stored("m.instance_id = 'vm-a'"));
    }
    try (EventStreamClient stream = api.stream("/v1/events?type=StepProgress", null)) {
      assertThat(stream.next(1)).containsExactlyElementsOf(stored("e.type = 'StepProgress'"));
    }
    try (EventStreamClient stream =
        api.stream("/v1/events?instance=vm-gone&type=MigrationFailed", null)) {
      Sse failed = stream.next();
      assertThat(failed.event()).isEqualTo("MigrationFailed");
      assertThat(mapper.readTree(failed.data()).get("instanceId").asText()).isEqualTo("vm-gone");
    }
    String secondId = all.get(1).id();
    try (EventStreamClient stream = api.stream("/v1/events", secondId)) {
      assertThat(stream.next(all.size() - 2)).containsExactlyElementsOf(all.subList(2, all.size()));
    }
  }

  /**
   * A stream opened with after=latest says first where it starts, then sends only what is stored
   * after that; a reconnect with that id misses nothing, and Last-Event-ID wins over the parameter.
   */
  @Test
  void aStreamAfterLatestSendsOnlyNewEventsAndSaysWhereItStarted() throws Exception {
    FakeAgent agent = fixture.agent("vm-latest");
    MigrationId id = dispatch(agent, "req-latest");
    agent.emit(id, 1, 1, new StepStarted(Step.PREFLIGHT));
    await().atMost(WAIT).until(() -> storedCount("m.instance_id = 'vm-latest'") == 1);
    List<Sse> before = stored("true");
    String newest = before.get(before.size() - 1).id();

    try (EventStreamClient stream = api.stream("/v1/events?after=latest", null)) {
      assertThat(stream.status()).isEqualTo(200);
      assertThat(stream.nextLine()).isEqualTo("id: " + newest);
      agent.emit(id, 1, 2, new StepSucceeded(Step.PREFLIGHT, 20, "ok"));
      Sse live = stream.next();
      assertThat(live.event()).isEqualTo("StepSucceeded");
      assertThat(seqs(List.of(live))).containsExactly(2L);
    }
    // Back with the id the stream began with, as a client that kept no later one would be: what
    // was stored after it comes, and Last-Event-ID wins over after=latest.
    agent.emit(id, 1, 3, new StepStarted(Step.DUMP));
    await().atMost(WAIT).until(() -> storedCount("m.instance_id = 'vm-latest'") == 3);
    try (EventStreamClient stream =
        api.stream("/v1/events?after=latest&instance=vm-latest", newest)) {
      assertThat(seqs(stream.next(2))).containsExactly(2L, 3L);
    }
    List<Sse> all = stored("m.instance_id = 'vm-latest'");
    try (EventStreamClient stream =
        api.stream("/v1/migrations/" + id + "/events?after=" + all.get(0).id(), null)) {
      assertThat(stream.next(2)).containsExactlyElementsOf(all.subList(1, 3));
    }
  }

  @Test
  void badInputGetsAJsonErrorNamingWhatToFix() throws Exception {
    FakeAgent agent = fixture.agent("vm-bad");
    MigrationId id = dispatch(agent, "req-bad");

    assertRefused(api.stream("/v1/events", "abc"), 400, "Last-Event-ID must be");
    assertRefused(api.stream("/v1/events", "-1"), 400, "Last-Event-ID must be");
    assertRefused(
        api.stream("/v1/migrations/" + id + "/events", "1.5"), 400, "Last-Event-ID must be");
    assertRefused(api.stream("/v1/events?type=StepDone", null), 400, "StepStarted");
    assertRefused(api.stream("/v1/events?instance=no%20such", null), 400, "instance 'no such'");
    assertRefused(api.stream("/v1/events?colour=red", null), 400, "use after or instance or type");
    assertRefused(
        api.stream("/v1/migrations/" + id + "/events?type=StepStarted", null),
        400,
        "unknown parameter 'type': use after");
    assertRefused(api.stream("/v1/events?after=newest", null), 400, "or 'latest', not 'newest'");
    assertRefused(api.stream("/v1/events?after=-3", null), 400, "after must be");
    assertRefused(
        api.stream("/v1/migrations/not-a-uuid/events", null), 400, "is not a migration id");
    assertRefused(
        api.stream("/v1/migrations/" + MigrationId.forRequest("never") + "/events", null),
        404,
        "no migration");
    Reply post = api.post("/v1/events", "{}");
    assertThat(post.status()).isEqualTo(405);
    assertThat(post.allow()).isEqualTo("GET");
    assertThat(post.json().get("error").asText()).contains("POST is not allowed");
  }

  private static void assertRefused(EventStreamClient stream, int status, String error)
      throws Exception {
    try (stream) {
      assertThat(stream.status()).isEqualTo(status);
      assertThat(stream.contentType()).startsWith("application/json");
      JsonNode body = new ObjectMapper().readTree(stream.body());
      assertThat(body.get("error").asText()).contains(error);
    }
  }

  @Test
  void streamsBeyondTheMostAreRefusedWithoutStarvingTheOtherEndpoints() throws Exception {
    List<EventStreamClient> open = new ArrayList<>();
    try {
      for (int i = 0; i < 64; i++) {
        EventStreamClient stream = api.stream("/v1/events", null);
        assertThat(stream.status()).isEqualTo(200);
        open.add(stream);
      }
      assertRefused(api.stream("/v1/events", null), 503, "64 event streams are open already");
      assertThat(api.get("/healthz").status()).isEqualTo(200);
      assertThat(api.get("/v1/migrations").status()).isEqualTo(200);
    } finally {
      for (EventStreamClient stream : open) {
        stream.close();
      }
    }
  }

  @Test
  void streamsEndCleanlyWhenTheCoordinatorCloses() throws Exception {
    FakeAgent agent = fixture.agent("vm-stop");
    MigrationId id = dispatch(agent, "req-stop");
    agent.emit(id, 1, 1, new StepStarted(Step.PREFLIGHT));
    try (EventStreamClient stream = api.stream("/v1/migrations/" + id + "/events", null)) {
      assertThat(stream.next().event()).isEqualTo("StepStarted");

      fixture.stop();

      assertThat(stream.next()).isNull();
    }
  }
}
