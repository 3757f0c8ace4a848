package io.pgshuttle.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgshuttle.coordinator.ApiClient.Reply;
import io.pgshuttle.messages.MigrationId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The audit log through {@code GET /v1/audit}, with the real store and broker. */
class AuditIT extends WithCoordinatorFixture {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private ApiClient api;

  @Test
  void aMigrationsTrailListsTheCommandsIssuedAndTheCancelWithWhoAskedAndFiltersWork()
      throws Exception {
    Instant started = Instant.now();
    api = new ApiClient(fixture.start().httpPort());
    FakeAgent agent = fixture.agent("vm-audit");
    fixture.publishRequest(CoordinatorFixture.request("req-audit", "vm-audit", "pw"));
    MigrationId id = agent.awaitCommand(WAIT).migrationId();
    assertThat(api.post("/v1/migrations/" + id + "/cancel", "{\"reason\": \"audit me\"}").status())
        .isEqualTo(202);
    agent.awaitCancel(WAIT);
    String trail = "/v1/audit?migration=" + id;
    // The CancelMigration's entry commits just after the broker confirmed it.
    await().atMost(WAIT).until(() -> entries(trail).size() == 3);

    List<JsonNode> entries = entries(trail);
    assertThat(entries)
        .extracting(entry -> entry.get("action").asText())
        .containsExactly("COMMAND_ISSUED", "CANCEL_REQUESTED", "COMMAND_ISSUED");
    assertThat(entries)
        .extracting(entry -> entry.get("who").asText())
        .containsExactly("coordinator", CoordinatorFixture.OPERATE.name(), "coordinator");
    assertThat(entries)
        .allSatisfy(
            entry -> assertThat(entry.get("migrationId").asText()).isEqualTo(id.toString()));
    JsonNode cancelIssued = entries.get(0);
    assertThat(cancelIssued.get("instanceId").asText()).isEqualTo("vm-audit");
    assertThat(cancelIssued.get("detail").get("type").asText()).isEqualTo("CancelMigration");
    assertThat(cancelIssued.get("detail").get("outcome").asText()).isEqualTo("ROUTED");
    assertThat(cancelIssued.get("detail").get("attempt").asInt()).isEqualTo(1);
    JsonNode cancel = entries.get(1).get("detail");
    assertThat(cancel.get("reason").asText()).isEqualTo("audit me");
    assertThat(cancel.get("outcome").asText()).isEqualTo("ACCEPTED");
    assertThat(cancel.get("state").asText()).isEqualTo("RUNNING");
    JsonNode startIssued = entries.get(2);
    assertThat(startIssued.get("detail").get("type").asText()).isEqualTo("StartMigration");
    assertThat(startIssued.get("detail").get("outcome").asText()).isEqualTo("ROUTED");
    assertThat(Instant.parse(startIssued.get("at").asText()))
        .isAfterOrEqualTo(started.minusSeconds(1));
    assertThat(startIssued.get("id").asLong()).isLessThan(entries.get(1).get("id").asLong());

    assertThat(entries(trail + "&action=CANCEL_REQUESTED"))
        .singleElement()
        .satisfies(entry -> assertThat(entry.get("detail")).isEqualTo(cancel));
    assertThat(entries(trail + "&limit=1")).containsExactly(entries.get(0));
    assertThat(entries(trail + "&since=" + started.minusSeconds(60))).isEqualTo(entries);
    assertThat(entries(trail + "&since=" + Instant.now().plusSeconds(3600))).isEmpty();
    assertThat(entries("/v1/audit?migration=" + MigrationId.forRequest("never-asked"))).isEmpty();

    Reply gc = api.post("/v1/gc?instance=vm-audit", "");
    assertThat(gc.status()).isEqualTo(202);
    String sweepId = gc.json().get("sweepId").asText();
    agent.awaitSweep(WAIT);
    assertThat(entries("/v1/audit?action=GC_REQUESTED"))
        .singleElement()
        .satisfies(
            entry -> {
              assertThat(entry.get("who").asText()).isEqualTo(CoordinatorFixture.OPERATE.name());
              assertThat(entry.get("instanceId").asText()).isEqualTo("vm-audit");
              assertThat(entry.get("migrationId").isNull()).isTrue();
              assertThat(entry.get("detail").get("sweepId").asText()).isEqualTo(sweepId);
              assertThat(entry.get("detail").get("trigger").asText()).isEqualTo("REQUEST");
            });
    await()
        .atMost(WAIT)
        .until(
            () ->
                entries("/v1/audit?action=COMMAND_ISSUED").stream()
                    .anyMatch(
                        entry ->
                            entry.get("detail").get("type").asText().equals("SweepLeftovers")));
    assertThat(
            entries("/v1/audit?action=COMMAND_ISSUED").stream()
                .filter(entry -> entry.get("detail").get("type").asText().equals("SweepLeftovers")))
        .singleElement()
        .satisfies(
            entry -> {
              assertThat(entry.get("detail").get("sweepId").asText()).isEqualTo(sweepId);
              assertThat(entry.get("detail").get("outcome").asText()).isEqualTo("SENT");
              assertThat(entry.get("instanceId").asText()).isEqualTo("vm-audit");
            });
  }

  @Test
  void badParametersAnswer400NamingWhatToFix() throws Exception {
    api = new ApiClient(fixture.start().httpPort());
    String before = fixture.storeValue("SELECT count(*) FROM pgshuttle.audit_log");

    assertBadRequest("migration=nope", "migration 'nope' is not a migration id");
    assertBadRequest("action=DELETED", "action 'DELETED' is unknown: use one of [COMMAND_ISSUED");
    assertBadRequest("since=yesterday", "since 'yesterday' is not an ISO-8601 instant");
    assertBadRequest("limit=0", "limit must be a number from 1 to 1000, not '0'");
    assertBadRequest("limit=many", "limit must be a number from 1 to 1000, not 'many'");
    assertBadRequest("who=me", "unknown parameter 'who'");

    assertThat(fixture.storeValue("SELECT count(*) FROM pgshuttle.audit_log")).isEqualTo(before);
  }

  private void assertBadRequest(String query, String error) throws Exception {
    Reply reply = api.get("/v1/audit?" + query);
    assertThat(reply.status()).as(query).isEqualTo(400);
    assertThat(reply.json().get("error").asText()).as(query).startsWith(error);
  }

  private List<JsonNode> entries(String path) throws Exception {
    Reply reply = api.get(path);
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    List<JsonNode> entries = new ArrayList<>();
    reply.json().get("entries").forEach(entries::add);
    return entries;
  }
}
