package io.pgshuttle.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.GetResponse;
import io.pgshuttle.coordinator.intake.IntakeOutcome;
import io.pgshuttle.coordinator.intake.MigrationIntake;
import io.pgshuttle.coordinator.status.AttemptState;
import io.pgshuttle.coordinator.status.MigrationState;
import io.pgshuttle.coordinator.status.MigrationStatus;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.HostileMessages;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MessageDecodingException;
import io.pgshuttle.messages.MigrationOptions;
import io.pgshuttle.messages.MigrationRequest;
import io.pgshuttle.messages.Secret;
import io.pgshuttle.messages.StartMigration;
import io.pgshuttle.messages.TargetServer;
import io.pgshuttle.messages.Topology;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class IntakeIT extends WithCoordinatorFixture {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @BeforeEach
  void startCoordinator() throws Exception {
    fixture.start();
  }

  @Test
  void aRequestBecomesASignedStartMigrationWithThePasswordSealedForTheAgent() throws Exception {
    FakeAgent agent = fixture.agent("vm-1");
    MigrationRequest request = CoordinatorFixture.request("req-1", "vm-1", "s3cret-pw");

    fixture.publishRequest(request);
    Envelope<StartMigration> command = agent.awaitCommand(WAIT);

    assertThat(command.migrationId()).isEqualTo(request.migrationId());
    assertThat(command.instanceId()).isEqualTo("vm-1");
    assertThat(command.attempt()).isEqualTo(1);
    assertThat(command.seq()).isZero();
    StartMigration start = command.payload();
    assertThat(start.target().password()).isNull();
    assertThat(agent.password(command).reveal()).isEqualTo("s3cret-pw");
    assertThat(start.target().host()).isEqualTo("target.example");
    assertThat(start.databases()).containsExactly("app", "Ledger ü");
    assertThat(start.options().jobs()).isEqualTo(3);
    assertThat(start.fencingToken()).isPositive();

    String id = request.migrationId().toString();
    assertThat(
            fixture.storeValue(
                "SELECT request::text FROM pgshuttle.migrations WHERE migration_id = '" + id + "'"))
        .contains("target.example")
        .doesNotContain("s3cret-pw");
    assertThat(
            fixture.storeValue(
                "SELECT target_password_sealed->>'recipientKeyId' FROM pgshuttle.migrations"
                    + " WHERE migration_id = '"
                    + id
                    + "'"))
        .isEqualTo(start.target().sealedPassword().recipientKeyId());
    assertThat(fixture.storeTextContaining("s3cret-pw")).isZero();
    assertThat(
            fixture.storeValue(
                "SELECT fencing_token FROM pgshuttle.attempts WHERE migration_id = '"
                    + id
                    + "' AND attempt = 1"))
        .isEqualTo(String.valueOf(start.fencingToken()));
    MigrationStatus status = fixture.status(request.migrationId());
    assertThat(status.state()).isEqualTo(MigrationState.RUNNING);
    assertThat(status.attempt()).isEqualTo(1);
    assertThat(status.startedAt()).isNotNull();
    assertThat(status.attempts())
        .singleElement()
        .extracting("state")
        .isEqualTo(AttemptState.DISPATCHED);
    assertThat(fixture.counter(CoordinatorMetrics.REQUESTS_ACCEPTED)).isEqualTo(1);
    await().atMost(WAIT).until(() -> fixture.counter(CoordinatorMetrics.COMMANDS_PUBLISHED) == 1);
  }

  @Test
  void afterABurstOfHostileBodiesEachRefusedOneIsDeadLetteredAndAValidRequestStillRuns()
      throws Exception {
    List<byte[]> hostile = HostileMessages.bodies().sampleStream().limit(500).toList();
    MessageCodec codec = new MessageCodec();
    long refused = hostile.stream().filter(body -> !isValidRequest(codec, body)).count();
    FakeAgent agent = fixture.agent("vm-after-burst");
    for (byte[] body : hostile) {
      fixture.publishRequest(body);
    }
    MigrationRequest request =
        CoordinatorFixture.request("req-after-burst", "vm-after-burst", "pw");

    fixture.publishRequest(request);

    assertThat(agent.awaitCommand(Duration.ofMinutes(2)).migrationId())
        .isEqualTo(request.migrationId());
    // At least: a valid request for an instance with a live migration is dead-lettered too.
    await().atMost(WAIT).until(() -> fixture.deadLetterCount() >= refused);
    assertThat(fixture.status(request.migrationId()).state()).isEqualTo(MigrationState.RUNNING);
  }

  private static boolean isValidRequest(MessageCodec codec, byte[] body) {
    try {
      return codec.decode(body, MigrationRequest.class).payload().problems().isEmpty();
    } catch (MessageDecodingException e) {
      return false;
    }
  }

  @Test
  void refusedRequestsAmongValidOnesAreDeadLetteredAloneWithTheirReasonsAndTheOthersRun()
      throws Exception {
    FakeAgent first = fixture.agent("vm-mix-1");
    FakeAgent second = fixture.agent("vm-mix-2");
    MigrationRequest one = CoordinatorFixture.request("req-mix-1", "vm-mix-1", "pw");
    MigrationRequest two = CoordinatorFixture.request("req-mix-2", "vm-mix-2", "pw");
    MigrationRequest busy = CoordinatorFixture.request("req-mix-busy", "vm-mix-2", "busy-pw");
    MigrationRequest invalid =
        new MigrationRequest(
            "req-mix-invalid",
            "vm-mix-1",
            List.of("app"),
            new TargetServer("target.example", 0, "admin", Secret.of("invalid-pw"), null),
            new MigrationOptions(3, 3, null, null));
    // Queued while no coordinator runs, so that it finds them waiting together.
    fixture.stop();
    fixture.publishRequest(one);
    fixture.publishRequest(invalid);
    fixture.publishRequest("{not json".getBytes(StandardCharsets.UTF_8));
    fixture.publishRequest(two);
    fixture.publishRequest(one);
    fixture.publishRequest(busy);

    fixture.start();

    assertThat(first.awaitCommand(WAIT).migrationId()).isEqualTo(one.migrationId());
    assertThat(second.awaitCommand(WAIT).migrationId()).isEqualTo(two.migrationId());
    List<String> reasons = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      GetResponse deadLetter = fixture.awaitDeadLetter(WAIT);
      assertThat(body(deadLetter)).doesNotContain("invalid-pw").doesNotContain("busy-pw");
      reasons.add(reason(deadLetter));
    }
    assertThat(reasons)
        .satisfiesExactlyInAnyOrder(
            reason -> assertThat(reason).startsWith("invalid request: target.port 0"),
            reason -> assertThat(reason).startsWith("cannot read the request: malformed JSON"),
            reason ->
                assertThat(reason)
                    .startsWith(
                        "instance vm-mix-2 already has a live migration " + two.migrationId()));
    assertThat(fixture.storeValue("SELECT count(*) FROM pgshuttle.migrations")).isEqualTo("2");
    assertThat(fixture.counter(CoordinatorMetrics.REQUESTS_ACCEPTED)).isEqualTo(2);
    assertThat(fixture.counter(CoordinatorMetrics.REQUESTS_DUPLICATE)).isEqualTo(1);
    assertThat(fixture.counter(CoordinatorMetrics.REQUESTS_DEAD_LETTERED)).isEqualTo(3);
    // Every request was acknowledged: none is delivered again to a new coordinator.
    fixture.stop();
    assertThat(fixture.requestsWaiting()).isZero();
    await().during(Duration.ofSeconds(1)).atMost(WAIT).until(() -> first.unreadCommands() == 0);
    assertThat(second.unreadCommands()).isZero();
  }

  @Test
  void aRepeatedRequestIdMakesOneMigrationAndOneCommand() throws Exception {
    FakeAgent agent = fixture.agent("vm-2");
    MigrationRequest request = CoordinatorFixture.request("req-2", "vm-2", "pw");

    fixture.publishRequest(request);
    agent.awaitCommand(WAIT);
    fixture.publishRequest(request);
    await().atMost(WAIT).until(() -> fixture.counter(CoordinatorMetrics.REQUESTS_DUPLICATE) == 1);
    IntakeOutcome direct = fixture.get(MigrationIntake.class).submit(request);

    assertThat(direct)
        .isEqualTo(
            new IntakeOutcome.Duplicate(request.migrationId(), MigrationState.RUNNING, true));
    assertThat(fixture.storeValue("SELECT count(*) FROM pgshuttle.migrations")).isEqualTo("1");
    assertThat(fixture.storeValue("SELECT count(*) FROM pgshuttle.attempts")).isEqualTo("1");
    await().during(Duration.ofSeconds(1)).atMost(WAIT).until(() -> agent.unreadCommands() == 0);
    assertThat(fixture.deadLetterCount()).isZero();
  }

  @Test
  void aBatchSettlesEachRequestAsIfTheOnesBeforeItWereRecorded() throws Exception {
    MigrationRequest first = CoordinatorFixture.request("req-5", "vm-5", "pw");
    MigrationRequest changed = CoordinatorFixture.request("req-5", "vm-5", "other-pw");
    MigrationRequest otherContent = CoordinatorFixture.request("req-5", "vm-5b", "pw");
    MigrationRequest sameInstance = CoordinatorFixture.request("req-5c", "vm-5", "pw");
    MigrationRequest elsewhere = CoordinatorFixture.request("req-5d", "vm-5d", "pw");
    fixture.agent("vm-5");
    fixture.agent("vm-5b");
    fixture.agent("vm-5d");

    List<IntakeOutcome> outcomes =
        fixture
            .get(MigrationIntake.class)
            .submitAll(List.of(first, changed, otherContent, sameInstance, elsewhere));

    assertThat(outcomes.get(0)).isEqualTo(new IntakeOutcome.Accepted(first.migrationId()));
    assertThat(outcomes.get(1))
        .as("the same request but its password: the password is not part of what is compared")
        .isEqualTo(new IntakeOutcome.Duplicate(first.migrationId(), MigrationState.PENDING, true));
    assertThat(outcomes.get(2))
        .isEqualTo(new IntakeOutcome.Duplicate(first.migrationId(), MigrationState.PENDING, false));
    assertThat(outcomes.get(3)).isInstanceOf(IntakeOutcome.Rejected.class);
    assertThat(((IntakeOutcome.Rejected) outcomes.get(3)).reason())
        .startsWith("instance vm-5 already has a live migration " + first.migrationId());
    assertThat(outcomes.get(4)).isEqualTo(new IntakeOutcome.Accepted(elsewhere.migrationId()));
    assertThat(
            fixture.storeValue(
                "SELECT string_agg(request_id || '@' || instance_id, ',' ORDER BY request_id)"
                    + " FROM pgshuttle.migrations"))
        .isEqualTo("req-5@vm-5,req-5d@vm-5d");
    assertThat(fixture.storeValue("SELECT count(*) FROM pgshuttle.migrations")).isEqualTo("2");
  }

  @Test
  void aSecondLiveMigrationOfAnInstanceIsDeadLetteredWithTheReason() throws Exception {
    FakeAgent agent = fixture.agent("vm-3");
    MigrationRequest first = CoordinatorFixture.request("req-3a", "vm-3", "first-pw");
    MigrationRequest second = CoordinatorFixture.request("req-3b", "vm-3", "second-pw");

    fixture.publishRequest(first);
    agent.awaitCommand(WAIT);
    fixture.publishRequest(second);
    GetResponse deadLetter = fixture.awaitDeadLetter(WAIT);

    assertThat(reason(deadLetter))
        .startsWith("instance vm-3 already has a live migration " + first.migrationId())
        .contains("req-3a")
        .contains("send this request again once that one has finished");
    assertThat(body(deadLetter)).contains("req-3b").doesNotContain("second-pw");
    assertThat(fixture.storeValue("SELECT count(*) FROM pgshuttle.migrations")).isEqualTo("1");
    assertThat(fixture.counter(CoordinatorMetrics.REQUESTS_DEAD_LETTERED)).isEqualTo(1);
  }

  @Test
  void unreadableRequestsAreDeadLetteredWithTheReasonAndNoPassword() throws Exception {
    Map<String, String> reasonsByBody =
        Map.of(
            "{\"type\":\"MigrationRequest\",\"version\":1,\"body\":{\"target\":{\"password\":"
                + "\"hunter2-pw\",",
            "cannot read the request: malformed JSON",
            "{\"type\":\"MigrationRequest\",\"version\":1,\"body\":{\"target\":{\"password\":"
                + " hunter2-pw}}}",
            "cannot read the request: malformed JSON",
            "{\"type\":\"CancelMigration\",\"version\":1,\"body\":{\"password\":\"hunter2-pw\"}}",
            "cannot read the request: message type 'CancelMigration' is not a MigrationRequest",
            "{\"type\":\"MigrationRequest\",\"version\":1,\"messageId\":"
                + "\"6f1c7d8e-0000-4000-8000-000000000001\",\"instanceId\":\"vm-4\","
                + "\"migrationId\":\"6f1c7d8e-0000-4000-8000-000000000002\",\"attempt\":0,"
                + "\"seq\":0,\"emittedAt\":\"2025-01-01T00:00:00Z\",\"body\":{\"requestId\":\"r\","
                + "\"instanceId\":\"vm-4\",\"target\":{\"port\":5432,\"user\":\"u\","
                + "\"password\":\"hunter2-pw\"}}}",
            "cannot read the request: missing field 'target.host' in MigrationRequest");

    for (Map.Entry<String, String> entry : reasonsByBody.entrySet()) {
      fixture.publishRequest(entry.getKey().getBytes(StandardCharsets.UTF_8));
      GetResponse deadLetter = fixture.awaitDeadLetter(WAIT);

      assertThat(reason(deadLetter)).as(entry.getKey()).startsWith(entry.getValue());
      assertThat(body(deadLetter) + deadLetter.getProps()).doesNotContain("hunter2");
    }
    assertThat(fixture.storeValue("SELECT count(*) FROM pgshuttle.migrations")).isEqualTo("0");
  }

  @Test
  void anInvalidRequestIsDeadLetteredNamingEachProblemWithoutItsPassword() throws Exception {
    MigrationRequest invalid =
        new MigrationRequest(
            "req-5",
            "vm-5",
            List.of("app"),
            new TargetServer("target.example", 0, "admin", Secret.of("invalid-pw"), null),
            new MigrationOptions(99, 3, null, null));

    fixture.publishRequest(invalid);
    GetResponse deadLetter = fixture.awaitDeadLetter(WAIT);

    assertThat(reason(deadLetter))
        .startsWith("invalid request: ")
        .contains("target.port 0 is not a TCP port")
        .contains("options.jobs must be 1 to 64, not 99");
    JsonNode body = new ObjectMapper().readTree(deadLetter.getBody());
    assertThat(body.at("/body/requestId").asText()).isEqualTo("req-5");
    assertThat(body.at("/body/target/host").asText()).isEqualTo("target.example");
    assertThat(body.at("/body/target").has("password")).isFalse();
    assertThat(body(deadLetter)).doesNotContain("invalid-pw");
    assertThat(fixture.storeValue("SELECT count(*) FROM pgshuttle.migrations")).isEqualTo("0");
  }

  @Test
  void aRequestThatKeepsFailingIsDeadLetteredHereAtTheDeliveryLimit() throws Exception {
    // PostgreSQL text cannot hold NUL: the store refuses this request every time it is tried.
    MigrationRequest poison = CoordinatorFixture.request("req-\u0000-6", "vm-6", "poison-pw");

    fixture.publishRequest(poison);
    fixture.publishRequest(CoordinatorFixture.request("req-6b", "vm-6b", "behind-pw"));
    // The poison, redelivered until its limit, does not hold back the request behind it.
    await()
        .atMost(WAIT)
        .until(
            () ->
                fixture
                    .storeValue(
                        "SELECT count(*) FROM pgshuttle.migrations WHERE request_id = 'req-6b'")
                    .equals("1"));
    GetResponse deadLetter = fixture.awaitDeadLetter(WAIT);

    assertThat(reason(deadLetter))
        .startsWith(
            "could not be processed in "
                + (Topology.REQUEST_DELIVERY_LIMIT + 1)
                + " deliveries, last because: status store at ");
    assertThat(deadLetter.getProps().getHeaders()).doesNotContainKey("x-death");
    assertThat(body(deadLetter)).doesNotContain("poison-pw");
    await().during(Duration.ofSeconds(1)).atMost(WAIT).until(() -> fixture.deadLetterCount() == 0);
  }

  private static String reason(GetResponse deadLetter) {
    return String.valueOf(deadLetter.getProps().getHeaders().get(Topology.REASON_HEADER));
  }

  private static String body(GetResponse deadLetter) {
    return new String(deadLetter.getBody(), StandardCharsets.UTF_8);
  }
}
