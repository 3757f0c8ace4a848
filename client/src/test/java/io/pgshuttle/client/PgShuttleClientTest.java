package io.pgshuttle.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgshuttle.client.internal.HttpCall;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.MigrationOptions;
import io.pgshuttle.messages.MigrationRequest;
import io.pgshuttle.messages.Secret;
import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.TargetServer;
import java.net.ConnectException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PgShuttleClientTest {
  private static final String TOKEN = "s3cr3t-operate-token";
  private static final MigrationId ID = MigrationId.parse("2f1c6b5e-8d2a-3c4b-9e7f-0a1b2c3d4e5f");
  private static final String STATUS =
      """
      {"migrationId": "2f1c6b5e-8d2a-3c4b-9e7f-0a1b2c3d4e5f", "requestId": "req-1",
       "instanceId": "vm-0001", "state": "RUNNING", "attempt": 2, "maxAttempts": 3,
       "createdAt": "2025-01-31T12:00:00.123Z", "startedAt": "2025-01-31T12:00:01Z",
       "finishedAt": null, "updatedAt": "2025-01-31T12:05:00Z", "nextAttemptAt": null,
       "lastHeartbeatAt": "2025-01-31T12:04:59Z", "error": "attempt 1: target went away",
       "verification": null, "cancelRequestedAt": null, "cancelReason": null,
       "someFieldOfALaterVersion": 7,
       "steps": [
         {"name": "PREFLIGHT", "state": "SUCCEEDED", "startedAt": "2025-01-31T12:00:02Z",
          "finishedAt": "2025-01-31T12:00:03Z", "progress": null, "summary": "ok", "error": null},
         {"name": "DUMP", "state": "RUNNING", "startedAt": "2025-01-31T12:01:00Z",
          "finishedAt": null, "summary": null, "error": null,
          "progress": {"percent": 42.5, "bytesDone": 425, "bytesTotal": 1000, "tablesDone": 3,
                       "tablesTotal": 7, "etaSeconds": 90, "detail": "public.ledger"}}
       ],
       "attempts": [
         {"attempt": 1, "state": "FAILED", "startedAt": "2025-01-31T12:00:01Z",
          "finishedAt": "2025-01-31T12:00:30Z", "error": "target went away", "retryable": true},
         {"attempt": 2, "state": "RUNNING", "startedAt": "2025-01-31T12:00:40Z",
          "finishedAt": null, "error": null, "retryable": null}
       ]}
      """;

  private final RecordingTransport transport = new RecordingTransport();
  private final PgShuttleClient client =
      new PgShuttleClient(
          PgShuttleClient.builder().coordinatorUri("http://coordinator:8080/").bearerToken(TOKEN),
          transport);
  private final ObjectMapper mapper = new ObjectMapper();

  @Test
  void submitPostsTheRequestEnvelopeWithTheTokenAndReadsTheStatus() throws Exception {
    transport.answer(202, STATUS);

    Submission submission = client.submit(request("req-1"));

    HttpCall call = transport.onlyCall();
    assertThat(call.method()).isEqualTo("POST");
    assertThat(call.uri()).hasToString("http://coordinator:8080/v1/migrations");
    assertThat(call.headers())
        .containsEntry("Authorization", "Bearer " + TOKEN)
        .containsEntry("Content-Type", "application/json")
        .containsEntry("Accept", "application/json");
    JsonNode sent = mapper.readTree(call.body());
    assertThat(sent.path("type").asText()).isEqualTo("MigrationRequest");
    assertThat(sent.path("migrationId").asText())
        .isEqualTo(MigrationId.forRequest("req-1").toString());
    assertThat(sent.path("body").path("requestId").asText()).isEqualTo("req-1");
    assertThat(sent.path("body").path("target").path("password").asText()).isEqualTo("pw");
    assertThat(submission.created()).isTrue();
    Migration migration = submission.migration();
    assertThat(migration.migrationId()).isEqualTo(ID);
    assertThat(migration.state()).isEqualTo(MigrationState.RUNNING);
    assertThat(migration.createdAt()).isEqualTo(Instant.parse("2025-01-31T12:00:00.123Z"));
    assertThat(migration.finishedAt()).isNull();
    assertThat(migration.steps())
        .extracting(StepStatus::name)
        .containsExactly(Step.PREFLIGHT, Step.DUMP);
    assertThat(migration.steps().get(1).progress())
        .isEqualTo(new Progress(42.5, 425L, 1000L, 3, 7, 90L, "public.ledger"));
    assertThat(migration.attempts())
        .containsExactly(
            new Attempt(
                1,
                AttemptState.FAILED,
                Instant.parse("2025-01-31T12:00:01Z"),
                Instant.parse("2025-01-31T12:00:30Z"),
                "target went away",
                true),
            new Attempt(
                2, AttemptState.RUNNING, Instant.parse("2025-01-31T12:00:40Z"), null, null, null));
  }

  @Test
  void submitOfAnAcceptedRequestSaysItCreatedNothing() {
    transport.answer(200, STATUS);

    assertThat(client.submit(request("req-1")).created()).isFalse();
  }

  @Test
  void anInvalidRequestIsRefusedWithItsProblemsBeforeAnythingIsSent() {
    MigrationRequest invalid =
        new MigrationRequest(
            "req-2",
            "not a vm!",
            List.of(),
            new TargetServer("target", 5432, "migrator", null, null),
            new MigrationOptions(0, 3, false, null));

    assertThatThrownBy(() -> client.submit(invalid))
        .isInstanceOfSatisfying(
            PermanentClientException.class,
            e -> {
              assertThat(e.retryable()).isFalse();
              assertThat(e.httpStatus()).isEmpty();
              assertThat(e.problems())
                  .anyMatch(p -> p.startsWith("instanceId 'not a vm!' is invalid"))
                  .anyMatch(p -> p.startsWith("options.jobs must be"));
            });
    assertThat(transport.calls()).isEmpty();
  }

  @Test
  void aRefusedRequestCarriesStatusBodyAndProblems() {
    String body = "{\"error\": \"invalid request\", \"problems\": [\"target.host is empty\"]}";
    transport.answer(400, body);

    assertThatThrownBy(() -> client.submit(request("req-3")))
        .isInstanceOfSatisfying(
            PermanentClientException.class,
            e -> {
              assertThat(e.httpStatus()).hasValue(400);
              assertThat(e.errorBody()).hasValue(body);
              assertThat(e.problems()).containsExactly("target.host is empty");
              assertThat(e.getMessage())
                  .isEqualTo(
                      "POST http://coordinator:8080/v1/migrations answered 400: invalid request");
            });
  }

  @Test
  void serverErrorsAndNoAnswerAreRetryableAndNeverShowTheToken() {
    transport.answer(503, "{\"error\": \"the status store cannot answer now\"}");
    transport.fail(new ConnectException("Connection refused"));

    assertThatThrownBy(() -> client.get(ID))
        .isInstanceOfSatisfying(
            TransientClientException.class,
            e -> {
              assertThat(e.retryable()).isTrue();
              assertThat(e.httpStatus()).hasValue(503);
              assertThat(e.getMessage()).endsWith("the status store cannot answer now");
            });
    assertThatThrownBy(() -> client.get(ID))
        .isInstanceOfSatisfying(
            TransientClientException.class,
            e -> {
              assertThat(e.httpStatus()).isEmpty();
              assertThat(e.getMessage())
                  .startsWith(
                      "cannot reach the coordinator at http://coordinator:8080 (Connection refused)")
                  .doesNotContain(TOKEN);
            });
  }

  @Test
  void unauthorizedSaysWhatToFix() {
    transport.answer(401, "{\"error\": \"missing bearer token\"}");

    assertThatThrownBy(() -> client.list(MigrationFilter.all()))
        .isInstanceOf(PermanentClientException.class)
        .hasMessageContaining("missing bearer token")
        .hasMessageContaining("give the client a bearer token");
  }

  @Test
  void getOfAnUnknownMigrationIsEmpty() {
    transport.answer(404, "{\"error\": \"no migration\"}");

    assertThat(client.get(ID)).isEmpty();
    assertThat(transport.onlyCall().uri())
        .hasToString("http://coordinator:8080/v1/migrations/" + ID);
  }

  @Test
  void listSendsTheFilterAndCursorAndReadsTheNextCursor() {
    transport.answer(200, "{\"migrations\": [" + STATUS + "], \"next\": \"c/2 +\"}");

    Page<Migration> page =
        client.list(
            MigrationFilter.all()
                .withState(MigrationState.FAILED)
                .withInstance("vm 1")
                .withLimit(10),
            "c/1");

    assertThat(transport.onlyCall().uri())
        .hasToString(
            "http://coordinator:8080/v1/migrations?state=FAILED&instance=vm%201&limit=10&after=c%2F1");
    assertThat(page.items()).extracting(Migration::migrationId).containsExactly(ID);
    assertThat(page.next()).isEqualTo("c/2 +");
  }

  @Test
  void listAllFollowsTheCursorsLazilyAndAnswersWithoutNextEndTheWalk() {
    transport.answer(200, "{\"migrations\": [" + STATUS + ", " + STATUS + "], \"next\": \"p2\"}");
    transport.answer(200, "{\"migrations\": [], \"next\": \"p3\"}");
    transport.answer(200, "{\"migrations\": [" + STATUS + "]}");

    var all = client.listAll(MigrationFilter.all().withLimit(2)).iterator();

    assertThat(transport.calls()).isEmpty();
    assertThat(all.next().migrationId()).isEqualTo(ID);
    assertThat(transport.calls()).hasSize(1);
    all.next();
    all.next();
    assertThat(all.hasNext()).isFalse();
    assertThat(transport.calls())
        .extracting(call -> call.uri().getRawQuery())
        .containsExactly("limit=2", "limit=2&after=p2", "limit=2&after=p3");
  }

  @Test
  void cancelSendsTheReasonAndReportsAMigrationThatEndedAlready() throws Exception {
    transport.answer(202, STATUS);
    String conflict =
        "{\"error\": \"migration ended SUCCEEDED already\", \"state\": \"SUCCEEDED\"}";
    transport.answer(409, conflict);

    Migration cancelled = client.cancel(ID, "wrong \"target\"");
    assertThatThrownBy(() -> client.cancel(ID, null))
        .isInstanceOfSatisfying(
            PermanentClientException.class,
            e -> {
              assertThat(e.httpStatus()).hasValue(409);
              assertThat(e.errorBody()).hasValue(conflict);
            });

    assertThat(cancelled.migrationId()).isEqualTo(ID);
    List<HttpCall> calls = transport.calls();
    assertThat(calls.get(0).uri())
        .hasToString("http://coordinator:8080/v1/migrations/" + ID + "/cancel");
    assertThat(mapper.readTree(calls.get(0).body()).path("reason").asText())
        .isEqualTo("wrong \"target\"");
    assertThat(calls.get(1).body()).isEqualTo("{}");
  }

  @Test
  void deadLettersAreListedReadReplayedAndDropped() {
    String deadLetter =
        """
        {"id": 17, "reason": "invalid", "detail": "target.port 0 is not a TCP port",
         "firstFailedAt": "2025-01-31T12:00:00Z", "deliveryCount": 1, "replays": 2,
         "requestId": "req-9", "instanceId": "vm-0001",
         "request": {"requestId": "req-9", "target": {"host": "t", "port": 0}}, "body": null}
        """;
    String replayed =
        "{\"id\": \"17\", \"outcome\": \"REPLAYED\", \"message\": \"accepted\", \"migrationId\": \""
            + ID
            + "\"}";
    transport.answer(200, "{\"deadLetters\": [" + deadLetter + "], \"next\": null}");
    transport.answer(200, deadLetter);
    transport.answer(200, replayed);
    transport.answer(
        200,
        "{\"results\": ["
            + replayed
            + ", {\"id\": 18, \"outcome\": \"INVALID\", \"message\": \"still\","
            + " \"migrationId\": null}]}");
    transport.answer(200, "{\"id\": \"17\", \"deleted\": true}");
    transport.answer(404, "{\"error\": \"no dead letter 17\"}");

    Page<DeadLetter> page =
        client.listDeadLetters(DeadLetterFilter.all().withReason("invalid").withLimit(5));
    DeadLetter read = client.getDeadLetter("17").orElseThrow();
    ReplayResult one = client.replayDeadLetter("17");
    List<ReplayResult> all =
        client.replayAllDeadLetters(
            DeadLetterFilter.all().withReason("invalid").withInstance("vm-0001").withLimit(5));
    boolean dropped = client.dropDeadLetter("17");
    boolean droppedAgain = client.dropDeadLetter("17");

    assertThat(page.items()).containsExactly(read);
    assertThat(page.next()).isNull();
    assertThat(read.firstFailedAt()).isEqualTo(Instant.parse("2025-01-31T12:00:00Z"));
    assertThat(read.replays()).isEqualTo(2);
    assertThat(read.request().path("target").path("port").asInt()).isZero();
    assertThat(one).isEqualTo(new ReplayResult("17", ReplayOutcome.REPLAYED, "accepted", ID));
    assertThat(all)
        .containsExactly(one, new ReplayResult("18", ReplayOutcome.INVALID, "still", null));
    assertThat(dropped).isTrue();
    assertThat(droppedAgain).isFalse();
    assertThat(transport.calls())
        .extracting(HttpCall::toString)
        .containsExactly(
            "GET http://coordinator:8080/v1/dead-letters?reason=invalid&limit=5",
            "GET http://coordinator:8080/v1/dead-letters/17",
            "POST http://coordinator:8080/v1/dead-letters/17/replay",
            "POST http://coordinator:8080/v1/dead-letters/replay?reason=invalid&instance=vm-0001",
            "DELETE http://coordinator:8080/v1/dead-letters/17",
            "DELETE http://coordinator:8080/v1/dead-letters/17");
  }

  @Test
  void aReplayPutsTheTargetPasswordBackOnlyWhenGivenAndNeverShowsIt() throws Exception {
    String replayed =
        "{\"id\": \"17\", \"outcome\": \"REPLAYED\", \"message\": \"published\","
            + " \"migrationId\": \""
            + ID
            + "\"}";
    transport.answer(200, replayed);
    transport.answer(200, "{\"results\": [" + replayed + "]}");
    transport.answer(400, "{\"error\": \"dead letter 17 needs its target password\"}");

    client.replayDeadLetter("17", Secret.of("pw-back"));
    client.replayAllDeadLetters(DeadLetterFilter.all().withReason("invalid"), Secret.of("pw-all"));
    assertThatThrownBy(() -> client.replayDeadLetter("17"))
        .isInstanceOfSatisfying(
            PermanentClientException.class,
            e -> {
              assertThat(e.httpStatus()).hasValue(400);
              assertThat(e.getMessage()).contains("needs its target password");
            });

    List<HttpCall> calls = transport.calls();
    assertThat(mapper.readTree(calls.get(0).body()).path("targetPassword").asText())
        .isEqualTo("pw-back");
    assertThat(mapper.readTree(calls.get(1).body()).path("targetPassword").asText())
        .isEqualTo("pw-all");
    assertThat(calls.get(2).body()).isNull();
    assertThat(calls).allMatch(call -> !call.toString().contains("pw-"));
  }

  @Test
  void aBodyThatIsNotTheApisJsonIsRetryable() {
    transport.answer(200, "<html>proxy page</html>");

    assertThatThrownBy(() -> client.get(ID))
        .isInstanceOf(TransientClientException.class)
        .hasMessageStartingWith(
            "GET http://coordinator:8080/v1/migrations/" + ID + " answered 200 with a body");
  }

  @Test
  void theTokenAndTheBrokerPasswordAreNeverShown() {
    PgShuttleClient.Builder builder =
        PgShuttleClient.builder()
            .coordinatorUri("https://coordinator")
            .bearerToken(TOKEN)
            .amqpUri("amqp://cp:broker-pw@rabbit:5672/prod")
            .namespace("pgshuttle");

    assertThat(builder.toString()).doesNotContain(TOKEN).doesNotContain("broker-pw");
    assertThat(builder.build().toString())
        .isEqualTo(
            "PgShuttleClient[coordinator=https://coordinator, broker=rabbit:5672 (vhost prod),"
                + " namespace=pgshuttle]");
  }

  @Test
  void wrongSettingsAreNamed() {
    assertThatThrownBy(() -> PgShuttleClient.builder().build())
        .hasMessageStartingWith("coordinatorUri is not set");
    assertThatThrownBy(() -> PgShuttleClient.builder().coordinatorUri("ftp://x").build())
        .hasMessageStartingWith("coordinatorUri must be http:// or https://");
    assertThatThrownBy(
            () ->
                PgShuttleClient.builder()
                    .coordinatorUri("http://c")
                    .bearerToken("two words")
                    .build())
        .hasMessageStartingWith("bearerToken must be printable ASCII")
        .hasMessageNotContaining("two words");
    assertThatThrownBy(
            () ->
                PgShuttleClient.builder()
                    .coordinatorUri("http://c")
                    .amqpUri("amqx://cp:broker-pw@rabbit")
                    .build())
        .hasMessageStartingWith("amqpUri is not a valid AMQP URI")
        .hasMessageNotContaining("broker-pw");
    assertThatThrownBy(
            () -> PgShuttleClient.builder().coordinatorUri("http://c").namespace("a b").build())
        .hasMessageContaining("namespace 'a b' is invalid");
    assertThatThrownBy(() -> MigrationFilter.all().withLimit(0))
        .hasMessageStartingWith("limit must be 1 to 1000");
    assertThatThrownBy(
            () -> PgShuttleClient.builder().coordinatorUri("http://c").build().subscribe(null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("amqpUri");
  }

  private static MigrationRequest request(String requestId) {
    return new MigrationRequest(
        requestId,
        "vm-0001",
        List.of("ledger"),
        new TargetServer("target", 5432, "migrator", Secret.of("pw"), null),
        null);
  }
}
