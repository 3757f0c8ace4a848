package io.pgshuttle.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgshuttle.coordinator.ApiClient.Reply;
import io.pgshuttle.coordinator.status.MigrationState;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.MigrationRequest;
import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.StepStarted;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpApiIT extends WithCoordinatorFixture {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private int port;

  @BeforeEach
  void startCoordinator() throws Exception {
    port = fixture.start().httpPort();
  }

  @Test
  void healthIsOkWhileStoreAndBrokerAnswerAndUnavailableWhenTheStoreStops() throws Exception {
    assertThat(port).isPositive();
    Reply healthy = get("/healthz");
    assertThat(healthy.status()).isEqualTo(200);
    assertThat(healthy.json().get("status").asText()).isEqualTo("ok");

    cluster.stop();
    try {
      Reply sick = get("/healthz");
      assertThat(sick.status()).isEqualTo(503);
      assertThat(sick.json().get("status").asText()).isEqualTo("unavailable");
      assertThat(sick.json().get("error").asText()).contains("status store at jdbc:postgresql://");
    } finally {
      cluster.start();
    }
    await().atMost(WAIT).until(() -> get("/healthz").status() == 200);
  }

  /**
   * The events queue deleted and a classic queue of its name declared in its place: the coordinator
   * cannot consume it again, and says so, until the classic queue goes; then it folds again.
   */
  @Test
  void aQueueTheCoordinatorCannotConsumeAgainMakesItUnhealthyUntilItCan() throws Exception {
    String events = fixture.topology.coordinatorEventsQueue();
    fixture.deleteQueue(events);
    fixture.declareClassicQueue(events);

    await()
        .atMost(WAIT)
        .until(
            () ->
                get("/healthz").status() == 503
                    && get("/healthz").json().get("error").asText().contains("cannot consume"));
    assertThat(get("/healthz").json().get("error").asText())
        .contains("not consuming " + events)
        .contains("inequivalent arg 'x-queue-type'");

    fixture.deleteQueue(events);
    // The retries wait twice as long each time: up to 30 s.
    await().atMost(Duration.ofSeconds(60)).until(() -> get("/healthz").status() == 200);
    FakeAgent agent = fixture.agent("vm-healthy");
    MigrationRequest request = CoordinatorFixture.request("req-healthy", "vm-healthy", "pw");
    fixture.publishRequest(request);
    MigrationId id = agent.awaitCommand(WAIT).migrationId();
    agent.emit(id, 1, 1, new StepStarted(Step.DUMP));
    await().atMost(WAIT).until(() -> fixture.counter(CoordinatorMetrics.EVENTS_FOLDED) >= 1);
  }

  @Test
  void aMigrationIsShownByIdAndBadOrUnknownIdsGetJsonErrors() throws Exception {
    FakeAgent agent = fixture.agent("vm-http");
    MigrationRequest request = CoordinatorFixture.request("req-http", "vm-http", "http-pw");
    fixture.publishRequest(request);
    agent.awaitCommand(WAIT);

    Reply found = get("/v1/migrations/" + request.migrationId());
    assertThat(found.status()).isEqualTo(200);
    assertThat(found.contentType()).startsWith("application/json");
    JsonNode status = found.json();
    assertThat(status.get("migrationId").asText()).isEqualTo(request.migrationId().toString());
    assertThat(status.get("requestId").asText()).isEqualTo("req-http");
    assertThat(status.get("instanceId").asText()).isEqualTo("vm-http");
    assertThat(status.get("state").asText()).isEqualTo("RUNNING");
    assertThat(status.get("attempt").asInt()).isEqualTo(1);
    assertThat(status.get("maxAttempts").asInt()).isEqualTo(3);
    assertThat(status.get("createdAt").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    assertThat(status.get("error").isNull()).isTrue();
    List<String> steps = new ArrayList<>();
    status.get("steps").forEach(step -> steps.add(step.get("name").asText()));
    assertThat(steps)
        .containsExactly(
            "PREFLIGHT",
            "PROVISION_DISK",
            "QUIESCE_SOURCE",
            "DUMP",
            "RESTORE",
            "VERIFY",
            "CUTOVER",
            "CLEANUP");
    assertThat(status.get("attempts").get(0).get("state").asText()).isEqualTo("DISPATCHED");
    assertThat(found.body()).doesNotContain("http-pw");

    Reply unknown = get("/v1/migrations/" + MigrationId.forRequest("never-sent"));
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.json().get("error").asText()).startsWith("no migration ");
    Reply malformed = get("/v1/migrations/not-a-uuid");
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.json().get("error").asText())
        .startsWith("'not-a-uuid' is not a migration id");
    assertThat(get("/v1/nothing").status()).isEqualTo(404);
    Reply post = new ApiClient(port).post("/v1/migrations/" + request.migrationId(), "{}");
    assertThat(post.status()).isEqualTo(405);
    assertThat(post.allow()).isEqualTo("GET");
    assertThat(post.json().get("error").asText()).contains("POST is not allowed");
  }

  @Test
  void migrationsAreListedNewestFirstAndFilteredByStateAndInstance() throws Exception {
    FakeAgent first = fixture.agent("vm-a");
    FakeAgent third = fixture.agent("vm-c");
    fixture.publishRequest(CoordinatorFixture.request("req-a", "vm-a", "pw"));
    first.awaitCommand(WAIT);
    fixture.publishRequest(CoordinatorFixture.request("req-b", "vm-b", "pw"));
    await()
        .atMost(WAIT)
        .until(() -> fixture.state(MigrationId.forRequest("req-b")) == MigrationState.FAILED);
    fixture.publishRequest(CoordinatorFixture.request("req-c", "vm-c", "pw"));
    third.awaitCommand(WAIT);

    assertThat(requestIds("/v1/migrations")).containsExactly("req-c", "req-b", "req-a");
    assertThat(requestIds("/v1/migrations?limit=2")).containsExactly("req-c", "req-b");
    assertThat(requestIds("/v1/migrations?state=FAILED")).containsExactly("req-b");
    assertThat(requestIds("/v1/migrations?state=RUNNING")).containsExactly("req-c", "req-a");
    assertThat(requestIds("/v1/migrations?instance=vm-a")).containsExactly("req-a");
    assertThat(requestIds("/v1/migrations?instance=vm-a&state=FAILED")).isEmpty();
    JsonNode failed = get("/v1/migrations?state=FAILED").json().get("migrations").get(0);
    assertThat(failed.get("error").asText()).startsWith("no agent for instance vm-b");
    assertThat(failed.get("attempts").get(0).get("state").asText()).isEqualTo("FAILED");

    Reply badState = get("/v1/migrations?state=DONE");
    assertThat(badState.status()).isEqualTo(400);
    assertThat(badState.json().get("error").asText()).contains("state 'DONE' is unknown");
    assertThat(get("/v1/migrations?limit=0").status()).isEqualTo(400);
    assertThat(get("/v1/migrations?limit=many").json().get("error").asText())
        .contains("limit must be a number from 1 to 1000");
  }

  private List<String> requestIds(String path) throws Exception {
    Reply reply = get(path);
    assertThat(reply.status()).as(path).isEqualTo(200);
    List<String> ids = new ArrayList<>();
    reply.json().get("migrations").forEach(status -> ids.add(status.get("requestId").asText()));
    return ids;
  }

  private Reply get(String path) throws Exception {
    return new ApiClient(port).get(path);
  }
}
