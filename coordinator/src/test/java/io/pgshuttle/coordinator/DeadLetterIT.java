package io.pgshuttle.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.GetResponse;
import io.pgshuttle.coordinator.ApiClient.Reply;
import io.pgshuttle.coordinator.status.MigrationState;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.MigrationRequest;
import io.pgshuttle.messages.MigrationSucceeded;
import io.pgshuttle.messages.Topology;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The dead-letter registry and its HTTP endpoints against the real broker and store. */
class DeadLetterIT extends WithCoordinatorFixture {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String PASSWORD = "dlq-Secret-pw-42";
  private ApiClient api;

  @BeforeEach
  void startCoordinator() {
    api = new ApiClient(fixture.start().httpPort());
  }

  @Test
  void aBusyInstancesRequestIsRecordedReplayedWithItsPasswordAndThenAccepted() throws Exception {
    FakeAgent agent = fixture.agent("vm-busy");
    MigrationRequest first = CoordinatorFixture.request("req-first", "vm-busy", "first-pw");
    fixture.publishRequest(first);
    agent.awaitCommand(WAIT);
    MigrationRequest second = CoordinatorFixture.request("req-second", "vm-busy", PASSWORD);
    fixture.publishRequest(second);

    GetResponse wire = fixture.awaitDeadLetter(WAIT);
    assertThat(text(wire.getBody())).doesNotContain(PASSWORD).contains("req-second");
    Map<String, Object> headers = wire.getProps().getHeaders();
    assertThat(headers).doesNotContainKey("x-death").doesNotContainKey(Topology.REPLAYS_HEADER);
    assertThat(headers.get(Topology.PASSWORD_REMOVED_HEADER)).isEqualTo(true);
    String id = String.valueOf(headers.get(Topology.DEAD_LETTER_ID_HEADER));
    JsonNode letter = awaitLetter(id, 1);
    assertThat(letter.get("reason").asText()).isEqualTo("instance_busy");
    assertThat(letter.get("detail").asText()).contains("already has a live migration");
    assertThat(letter.get("firstFailedAt").asText()).matches("\\d{4}-.*Z");
    assertThat(letter.get("replays").asInt()).isZero();
    assertThat(letter.get("requestId").asText()).isEqualTo("req-second");
    assertThat(letter.get("instanceId").asText()).isEqualTo("vm-busy");
    assertThat(letter.at("/request/body/target/host").asText()).isEqualTo("target.example");
    assertThat(letter.at("/request/body/target").has("password")).isFalse();
    assertThat(letter.get("body").isNull()).isTrue();

    // Without the password that was removed: refused, nothing changed.
    Reply refused = api.post("/v1/dead-letters/" + id + "/replay", "");
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.json().get("error").asText())
        .contains("password removed")
        .contains("targetPassword");
    assertThat(api.get("/v1/dead-letters/" + id).json().get("replays").asInt()).isZero();

    // Replayed while the instance is still busy: dead-lettered again into the same entry.
    Reply early = replay(id);
    assertThat(early.status()).isEqualTo(200);
    assertThat(early.json().get("outcome").asText()).isEqualTo("REPLAYED");
    assertThat(early.body()).doesNotContain(PASSWORD);
    GetResponse again = fixture.awaitDeadLetter(WAIT);
    Map<String, Object> againHeaders = again.getProps().getHeaders();
    assertThat(againHeaders.get(Topology.REPLAYS_HEADER)).isEqualTo(1);
    assertThat(String.valueOf(againHeaders.get(Topology.DEAD_LETTER_ID_HEADER))).isEqualTo(id);
    assertThat(againHeaders).doesNotContainKey("x-death");
    assertThat(text(again.getBody())).doesNotContain(PASSWORD);
    JsonNode twice = awaitLetter(id, 2);
    assertThat(twice.get("replays").asInt()).isEqualTo(1);
    assertThat(twice.get("firstFailedAt").asText()).isEqualTo(letter.get("firstFailedAt").asText());
    assertThat(fixture.storeValue("SELECT count(*) FROM pgshuttle.dead_letters")).isEqualTo("1");

    // Fixed: the instance's migration ends; the replay is accepted as a migration.
    agent.emit(first.migrationId(), 1, 1, new MigrationSucceeded(List.of("app"), "verified"));
    await()
        .atMost(WAIT)
        .until(() -> fixture.state(first.migrationId()) == MigrationState.SUCCEEDED);
    Reply replayed = replay(id);
    assertThat(replayed.json().get("outcome").asText()).isEqualTo("REPLAYED");
    MigrationId secondId = second.migrationId();
    assertThat(replayed.json().get("migrationId").asText()).isEqualTo(secondId.toString());
    assertThat(agent.password(agent.awaitCommand(WAIT)).reveal()).isEqualTo(PASSWORD);
    Reply migration = api.get("/v1/migrations/" + secondId);
    assertThat(migration.status()).isEqualTo(200);
    assertThat(migration.json().get("requestId").asText()).isEqualTo("req-second");
    assertThat(api.get("/v1/dead-letters/" + id).json().get("replays").asInt()).isEqualTo(2);

    // Again: the requestId is known, nothing is published.
    Reply known = replay(id);
    assertThat(known.json().get("outcome").asText()).isEqualTo("ALREADY_ACCEPTED");
    assertThat(known.json().get("migrationId").asText()).isEqualTo(secondId.toString());
    assertThat(known.json().get("message").asText()).contains("nothing was published");
    assertThat(api.get("/v1/dead-letters/" + id).json().get("replays").asInt()).isEqualTo(2);
    assertThat(fixture.storeValue("SELECT count(*) FROM pgshuttle.migrations")).isEqualTo("2");
    assertThat(agent.unreadCommands()).isZero();
    assertThat(fixture.deadLetterCount()).isZero();
    assertThat(api.get("/v1/dead-letters").body()).doesNotContain(PASSWORD);
    assertNoPasswordStored();

    // Each replay is in the audit log, with the token that asked and its outcome.
    JsonNode replays = api.get("/v1/audit?action=DEAD_LETTER_REPLAYED").json().get("entries");
    assertThat(replays.findValuesAsText("who")).containsOnly(CoordinatorFixture.OPERATE.name());
    assertThat(replays.findValuesAsText("deadLetterId")).containsOnly(id);
    assertThat(replays.get(0).at("/detail/outcome").asText()).isEqualTo("ALREADY_ACCEPTED");
    assertThat(replays.get(0).get("migrationId").asText()).isEqualTo(secondId.toString());
    assertThat(api.get("/v1/audit").body()).doesNotContain(PASSWORD);
  }

  @Test
  void aBodyThatIsNotJsonIsListedRawAndItsReplayIsInvalid() throws Exception {
    fixture.publishRequest("not json {\"password\": \"raw-pw\"".getBytes(StandardCharsets.UTF_8));

    String id = deadLetterId(fixture.awaitDeadLetter(WAIT));
    JsonNode letter = awaitLetter(id, 1);

    assertThat(letter.get("reason").asText()).isEqualTo("malformed");
    assertThat(letter.get("request").isNull()).isTrue();
    assertThat(letter.get("requestId").isNull()).isTrue();
    assertThat(letter.get("body").asText()).startsWith("not json {").doesNotContain("raw-pw");
    Reply replay = replay(id);
    assertThat(replay.status()).isEqualTo(200);
    assertThat(replay.json().get("outcome").asText()).isEqualTo("INVALID");
    assertThat(replay.json().get("message").asText()).contains("not JSON");
    assertThat(replay.json().get("migrationId").isNull()).isTrue();
    assertThat(api.get("/v1/dead-letters/" + id).json().get("replays").asInt()).isZero();
    assertThat(fixture.deadLetterCount()).isZero();
  }

  @Test
  void bulkReplayTakesOnlyWhatTheFilterSelects() throws Exception {
    FakeAgent agent = fixture.agent("vm-bulk");
    MigrationRequest holder = CoordinatorFixture.request("req-holder", "vm-bulk", "h-pw");
    fixture.publishRequest(holder);
    agent.awaitCommand(WAIT);
    fixture.publishRequest(CoordinatorFixture.request("req-bulk-1", "vm-bulk", PASSWORD));
    String busy = deadLetterId(fixture.awaitDeadLetter(WAIT));
    fixture.publishRequest(CoordinatorFixture.request("req-bad-1", "vm-a", PASSWORD, 99));
    String invalidA = deadLetterId(fixture.awaitDeadLetter(WAIT));
    fixture.publishRequest(CoordinatorFixture.request("req-bad-2", "vm-b", PASSWORD, 99));
    String invalidB = deadLetterId(fixture.awaitDeadLetter(WAIT));
    await()
        .atMost(WAIT)
        .until(() -> api.get("/v1/dead-letters").json().get("deadLetters").size() == 3);

    Reply one = api.post("/v1/dead-letters/replay?reason=invalid&instance=vm-a", "");
    assertThat(one.status()).isEqualTo(200);
    assertThat(ids(one.json().get("results"))).containsExactly(invalidA);
    assertThat(one.json().at("/results/0/outcome").asText()).isEqualTo("INVALID");
    assertThat(one.json().at("/results/0/message").asText()).contains("options.maxAttempts");

    Reply invalid = api.post("/v1/dead-letters/replay?reason=invalid", "");
    assertThat(ids(invalid.json().get("results"))).containsExactly(invalidA, invalidB);

    // Without a password the busy one is refused within the results; with one, replayed.
    Reply noPassword = api.post("/v1/dead-letters/replay?instance=vm-bulk", "");
    assertThat(noPassword.json().at("/results/0/outcome").asText()).isEqualTo("INVALID");
    assertThat(noPassword.json().at("/results/0/message").asText()).contains("targetPassword");
    agent.emit(holder.migrationId(), 1, 1, new MigrationSucceeded(List.of("app"), "verified"));
    await()
        .atMost(WAIT)
        .until(() -> fixture.state(holder.migrationId()) == MigrationState.SUCCEEDED);
    Reply bulk =
        api.post(
            "/v1/dead-letters/replay?reason=instance_busy",
            "{\"targetPassword\": \"" + PASSWORD + "\"}");
    assertThat(ids(bulk.json().get("results"))).containsExactly(busy);
    assertThat(bulk.json().at("/results/0/outcome").asText()).isEqualTo("REPLAYED");
    assertThat(agent.awaitCommand(WAIT).migrationId())
        .isEqualTo(MigrationId.forRequest("req-bulk-1"));
    assertThat(bulk.body()).doesNotContain(PASSWORD);
    assertNoPasswordStored();
  }

  @Test
  void listingPagesDropDeletesAndUnknownIdsAre404() throws Exception {
    for (int i = 0; i < 3; i++) {
      fixture.publishRequest(("garbage " + i).getBytes(StandardCharsets.UTF_8));
      fixture.awaitDeadLetter(WAIT);
    }
    await()
        .atMost(WAIT)
        .until(() -> api.get("/v1/dead-letters").json().get("deadLetters").size() == 3);

    Reply page = api.get("/v1/dead-letters?reason=malformed&limit=2");
    assertThat(page.json().get("deadLetters")).hasSize(2);
    assertThat(page.json().at("/deadLetters/0/body").asText()).isEqualTo("garbage 2");
    String next = page.json().get("next").asText();
    Reply rest = api.get("/v1/dead-letters?reason=malformed&limit=2&after=" + next);
    assertThat(rest.json().get("deadLetters")).hasSize(1);
    assertThat(rest.json().at("/deadLetters/0/body").asText()).isEqualTo("garbage 0");
    assertThat(rest.json().get("next").isNull()).isTrue();
    assertThat(api.get("/v1/dead-letters?limit=3").json().get("next").isNull()).isTrue();
    assertThat(api.get("/v1/dead-letters?reason=invalid").json().get("deadLetters")).isEmpty();

    String id = page.json().at("/deadLetters/0/id").asText();
    Reply dropped = api.delete("/v1/dead-letters/" + id);
    assertThat(dropped.status()).isEqualTo(200);
    assertThat(dropped.json().get("id").asText()).isEqualTo(id);
    assertThat(dropped.json().get("deleted").asBoolean()).isTrue();
    assertThat(api.get("/v1/dead-letters").json().get("deadLetters")).hasSize(2);
    JsonNode drops = api.get("/v1/audit?action=DEAD_LETTER_DROPPED").json().get("entries");
    assertThat(drops).hasSize(1);
    assertThat(drops.get(0).get("who").asText()).isEqualTo(CoordinatorFixture.OPERATE.name());
    assertThat(drops.get(0).at("/detail/deadLetterId").asText()).isEqualTo(id);

    String unknown = UUID.randomUUID().toString();
    for (Reply reply :
        List.of(
            api.get("/v1/dead-letters/" + id),
            api.delete("/v1/dead-letters/" + id),
            api.post("/v1/dead-letters/" + unknown + "/replay", ""))) {
      assertThat(reply.status()).isEqualTo(404);
      assertThat(reply.json().get("error").asText()).startsWith("no dead letter ");
    }
    Reply malformed = api.get("/v1/dead-letters/not-a-uuid");
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.json().get("error").asText()).contains("expected a UUID");
    Reply badLimit = api.get("/v1/dead-letters?limit=0");
    assertThat(badLimit.status()).isEqualTo(400);
    assertThat(badLimit.json().get("error").asText()).contains("limit must be a number");
    Reply badBody = api.post("/v1/dead-letters/" + unknown + "/replay", "{\"targetPassword\": 5}");
    assertThat(badBody.status()).isEqualTo(400);
    Reply wrongMethod = api.post("/v1/dead-letters/" + unknown, "");
    assertThat(wrongMethod.status()).isEqualTo(405);
    assertThat(wrongMethod.allow()).isEqualTo("DELETE, GET");
  }

  @Test
  void aDeadLetterTheBrokerMadeLosesItsPasswordInTheRegistryAndItsQueueAndCountsOnce()
      throws Exception {
    // The broker dead-letters by itself at the delivery limit, password and all: as it would.
    MigrationRequest request = CoordinatorFixture.request("req-broker", "vm-broker", PASSWORD);
    String messageId = UUID.randomUUID().toString();
    fixture.publishDeadLetterAsTheBroker(request, messageId);
    awaitAnyLetter();
    // The same message again, as after a coordinator that died between commit and ack.
    fixture.publishDeadLetterAsTheBroker(request, messageId);
    // Dead letters are recorded in queue order: once this later one is in, the copy was handled.
    fixture.publishRequest("marker".getBytes(StandardCharsets.UTF_8));
    await()
        .atMost(WAIT)
        .until(
            () ->
                api.get("/v1/dead-letters?reason=malformed")
                    .json()
                    .at("/deadLetters/0/body")
                    .asText()
                    .equals("marker"));

    JsonNode letter = api.get("/v1/dead-letters?reason=delivery_limit").json().at("/deadLetters/0");

    assertThat(letter.get("reason").asText()).isEqualTo("delivery_limit");
    assertThat(letter.get("deliveryCount").asInt()).isEqualTo(6);
    assertThat(letter.get("requestId").asText()).isEqualTo("req-broker");
    assertThat(letter.toString()).doesNotContain(PASSWORD);
    assertThat(letter.at("/request/body/target").has("password")).isFalse();
    assertThat(
            fixture.storeValue(
                "SELECT count(*) FROM pgshuttle.dead_letters WHERE reason = 'delivery_limit'"))
        .isEqualTo("1");
    assertThat(fixture.deadLetterQueueDepth()).isZero();
    assertNoPasswordStored();
  }

  @Test
  void aMessageIdHoldingANulIsRecordedNotRequeuedForever() throws Exception {
    // AMQP allows any byte in a message id; PostgreSQL text takes no NUL.
    MigrationRequest request = CoordinatorFixture.request("req-nul", "vm-nul", PASSWORD);
    fixture.publishDeadLetterAsTheBroker(request, "id-with-\0-nul");

    JsonNode letter = awaitAnyLetter();

    assertThat(letter.get("requestId").asText()).isEqualTo("req-nul");
    await().atMost(WAIT).until(() -> fixture.deadLetterQueueDepth() == 0);
  }

  private JsonNode awaitAnyLetter() {
    return await()
        .atMost(WAIT)
        .until(
            () -> api.get("/v1/dead-letters").json().path("deadLetters").path(0),
            node -> !node.isMissingNode());
  }

  /** The registry's entry once it counts {@code deliveries}. */
  private JsonNode awaitLetter(String id, int deliveries) {
    return await()
        .atMost(WAIT)
        .until(
            () -> api.get("/v1/dead-letters/" + id).json(),
            json -> json.path("deliveryCount").asInt() == deliveries);
  }

  private Reply replay(String id) throws Exception {
    return api.post(
        "/v1/dead-letters/" + id + "/replay", "{\"targetPassword\": \"" + PASSWORD + "\"}");
  }

  private void assertNoPasswordStored() {
    assertThat(
            fixture.storeValue(
                "SELECT count(*) FROM pgshuttle.dead_letters WHERE concat(request::text, raw_body,"
                    + " detail) LIKE '%"
                    + PASSWORD
                    + "%'"))
        .isEqualTo("0");
  }

  private static String deadLetterId(GetResponse wire) {
    return String.valueOf(wire.getProps().getHeaders().get(Topology.DEAD_LETTER_ID_HEADER));
  }

  private static List<String> ids(JsonNode results) {
    return results.findValuesAsText("id");
  }

  private static String text(byte[] body) {
    return new String(body, StandardCharsets.UTF_8);
  }
}
