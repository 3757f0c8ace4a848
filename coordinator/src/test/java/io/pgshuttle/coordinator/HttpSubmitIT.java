package io.pgshuttle.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgshuttle.coordinator.ApiClient.Reply;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.MigrationRequest;
import io.pgshuttle.messages.StartMigration;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code POST /v1/migrations} and the pages of {@code GET /v1/migrations}. */
class HttpSubmitIT extends WithCoordinatorFixture {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private ApiClient api;

  @BeforeEach
  void startCoordinator() {
    api = new ApiClient(fixture.start().httpPort());
  }

  @Test
  void aNewRequestIs202ARepeatIs200AndAReusedRequestIdWithOtherContentIs409() throws Exception {
    FakeAgent agent = fixture.agent("vm-post");
    MigrationRequest request = CoordinatorFixture.request("req-post", "vm-post", "post-secret");

    Reply accepted = api.post("/v1/migrations", envelope(request));

    assertThat(accepted.status()).isEqualTo(202);
    assertThat(accepted.json().get("migrationId").asText())
        .isEqualTo(request.migrationId().toString());
    assertThat(accepted.json().get("requestId").asText()).isEqualTo("req-post");
    assertThat(accepted.json().get("instanceId").asText()).isEqualTo("vm-post");
    assertThat(accepted.json().get("state").asText()).isIn("PENDING", "RUNNING");
    assertThat(accepted.body()).doesNotContain("post-secret");
    Envelope<StartMigration> command = agent.awaitCommand(WAIT);
    assertThat(command.migrationId()).isEqualTo(request.migrationId());
    assertThat(command.payload().target().password().reveal()).isEqualTo("post-secret");

    Reply repeated = api.post("/v1/migrations", envelope(request));
    assertThat(repeated.status()).isEqualTo(200);
    assertThat(repeated.json().get("migrationId").asText())
        .isEqualTo(request.migrationId().toString());
    assertThat(repeated.body()).doesNotContain("post-secret");

    MigrationRequest other =
        new MigrationRequest(
            request.requestId(),
            request.instanceId(),
            List.of("other"),
            request.target(),
            request.options());
    Reply conflict = api.post("/v1/migrations", envelope(other));
    assertThat(conflict.status()).isEqualTo(409);
    assertThat(conflict.json().get("error").asText())
        .startsWith("requestId 'req-post' was accepted before with another request");
    assertThat(conflict.json().get("migrationId").asText())
        .isEqualTo(request.migrationId().toString());
    assertThat(conflict.body()).doesNotContain("post-secret");

    Reply busy =
        api.post(
            "/v1/migrations",
            envelope(CoordinatorFixture.request("req-post-2", "vm-post", "post-secret")));
    assertThat(busy.status()).isEqualTo(409);
    assertThat(busy.json().get("error").asText())
        .startsWith("instance vm-post already has a live migration");

    assertThat(fixture.storeValue("SELECT count(*) FROM pgshuttle.migrations")).isEqualTo("1");
    assertThat(fixture.storeValue("SELECT count(*) FROM pgshuttle.outbox")).isEqualTo("1");
  }

  @Test
  void malformedOrInvalidRequestsAre400WithTheProblemsAndChangeNothing() throws Exception {
    MigrationRequest invalid =
        CoordinatorFixture.request("req-bad", "not a valid instance!", "bad-secret");

    Reply notJson = api.post("/v1/migrations", "{\"type\": \"MigrationRequest\", bad-secret");
    Reply empty = api.post("/v1/migrations", "");
    Reply wrongType = api.post("/v1/migrations", "{\"type\": \"StepStarted\"}");
    Reply invalidReply = api.post("/v1/migrations", envelope(invalid));

    for (Reply reply : List.of(notJson, empty, wrongType, invalidReply)) {
      assertThat(reply.status()).as(reply.body()).isEqualTo(400);
      assertThat(reply.json().get("problems").isArray()).isTrue();
      assertThat(reply.json().get("problems")).isNotEmpty();
      assertThat(reply.body()).doesNotContain("bad-secret");
    }
    assertThat(notJson.json().get("error").asText()).contains("malformed JSON");
    assertThat(wrongType.json().get("error").asText())
        .contains("message type 'StepStarted' is not a MigrationRequest");
    assertThat(invalidReply.json().get("error").asText()).startsWith("invalid request: ");
    assertThat(invalidReply.json().get("problems").get(0).asText())
        .startsWith("instanceId 'not a valid instance!' is invalid");
    assertThat(fixture.storeValue("SELECT count(*) FROM pgshuttle.migrations")).isEqualTo("0");
    assertThat(fixture.storeValue("SELECT count(*) FROM pgshuttle.outbox")).isEqualTo("0");
  }

  @Test
  void migrationsArePagedNewestFirstWithAnOpaqueCursor() throws Exception {
    for (String name : List.of("a", "b", "c", "d", "e")) {
      Reply reply =
          api.post(
              "/v1/migrations",
              envelope(CoordinatorFixture.request("req-page-" + name, "vm-page-" + name, "pw")));
      assertThat(reply.status()).isEqualTo(202);
    }

    List<String> seen = new ArrayList<>();
    List<Integer> pageSizes = new ArrayList<>();
    String path = "/v1/migrations?limit=2";
    while (path != null) {
      Reply page = api.get(path);
      assertThat(page.status()).as(page.body()).isEqualTo(200);
      JsonNode migrations = page.json().get("migrations");
      pageSizes.add(migrations.size());
      migrations.forEach(status -> seen.add(status.get("requestId").asText()));
      JsonNode next = page.json().get("next");
      assertThat(next).isNotNull();
      path =
          next.isNull()
              ? null
              : "/v1/migrations?limit=2&after="
                  + URLEncoder.encode(next.asText(), StandardCharsets.UTF_8);
    }
    // The pages, one after the other, are the whole list in its order: newest first.
    assertThat(seen).isEqualTo(requestIds("/v1/migrations"));
    assertThat(seen)
        .containsExactlyInAnyOrder(
            "req-page-a", "req-page-b", "req-page-c", "req-page-d", "req-page-e");
    assertThat(pageSizes).containsExactly(2, 2, 1);

    Reply all = api.get("/v1/migrations");
    assertThat(all.json().get("migrations")).hasSize(5);
    assertThat(all.json().get("next").isNull()).isTrue();
    Reply badCursor = api.get("/v1/migrations?after=not-a-cursor");
    assertThat(badCursor.status()).isEqualTo(400);
    assertThat(badCursor.json().get("error").asText())
        .startsWith("after 'not-a-cursor' is not a cursor");
  }

  @Test
  void aCursorKeepsItsPlaceWhenNewerMigrationsArrive() throws Exception {
    for (String name : List.of("a", "b", "c")) {
      api.post(
          "/v1/migrations",
          envelope(CoordinatorFixture.request("req-keep-" + name, "vm-keep-" + name, "pw")));
    }
    List<String> before = requestIds("/v1/migrations");
    String next = api.get("/v1/migrations?limit=1").json().get("next").asText();
    api.post(
        "/v1/migrations", envelope(CoordinatorFixture.request("req-keep-d", "vm-keep-d", "pw")));

    assertThat(
            requestIds("/v1/migrations?after=" + URLEncoder.encode(next, StandardCharsets.UTF_8)))
        .isEqualTo(before.subList(1, 3));
  }

  private List<String> requestIds(String path) throws Exception {
    Reply reply = api.get(path);
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    List<String> ids = new ArrayList<>();
    reply.json().get("migrations").forEach(status -> ids.add(status.get("requestId").asText()));
    return ids;
  }

  private String envelope(MigrationRequest request) {
    return new String(fixture.codec.encode(Envelope.ofRequest(request)), StandardCharsets.UTF_8);
  }
}
