package io.pgshuttle.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgshuttle.coordinator.ApiClient.Reply;
import io.pgshuttle.coordinator.status.MigrationState;
import io.pgshuttle.messages.AttemptFailed;
import io.pgshuttle.messages.EndedMigration;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Leftover;
import io.pgshuttle.messages.LeftoversSwept;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.MigrationSucceeded;
import io.pgshuttle.messages.Secret;
import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.SweepLeftovers;
import io.pgshuttle.messages.TargetServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The coordinator's side of the orphan sweeper, on the real broker and store, with fake agents on
 * the wire: who is asked about which migrations, with which target, and how reports are folded.
 */
class SweepIT extends WithCoordinatorFixture {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private ApiClient api;

  @Test
  void aSweepAsksEachAgentAboutItsEndedMigrationsOnlyAndFoldsTheirReports() throws Exception {
    api = new ApiClient(fixture.start().httpPort());
    FakeAgent a = fixture.agent("vm-a");
    FakeAgent b = fixture.agent("vm-b");
    FakeAgent c = fixture.agent("vm-c");
    MigrationId failed = failOnItsLastAttempt(a, "req-a1", "pw-a1");
    fixture.publishRequest(CoordinatorFixture.request("req-a2", "vm-a", "pw-a2"));
    MigrationId running = a.awaitCommand(WAIT).migrationId();
    MigrationId cancelled = cancelWhileRunning(b, "req-b1", "pw-b1");
    fixture.publishRequest(CoordinatorFixture.request("req-c1", "vm-c", "pw-c1"));
    MigrationId succeeded = c.awaitCommand(WAIT).migrationId();
    c.emit(succeeded, 1, 1, new MigrationSucceeded(List.of("app"), "equal"));
    fixture.publishRequest(CoordinatorFixture.request("req-d1", "vm-d", "pw-d1"));
    MigrationId neverDispatched = MigrationId.forRequest("req-d1");
    await().atMost(WAIT).until(() -> fixture.state(neverDispatched) == MigrationState.FAILED);
    await().atMost(WAIT).until(() -> fixture.state(succeeded) == MigrationState.SUCCEEDED);

    Reply started = api.post("/v1/gc", "");

    assertThat(started.status()).isEqualTo(202);
    JsonNode sweep = started.json();
    UUID sweepId = UUID.fromString(sweep.get("sweepId").asText());
    assertThat(sweep.get("trigger").asText()).isEqualTo("REQUEST");
    assertThat(sweep.get("instanceId").isNull()).isTrue();
    assertThat(instances(sweep)).containsExactly("vm-a", "vm-b");
    assertThat(sweep.at("/instances/0/migrations/0").asText()).isEqualTo(failed.toString());
    assertThat(sweep.at("/instances/0/removed").isNull()).isTrue();
    Envelope<SweepLeftovers> toA = a.awaitSweep(WAIT);
    assertThat(toA.migrationId().value()).isEqualTo(sweepId);
    assertThat(toA.payload().migrations().get(0).target().password()).isNull();
    assertThat(a.unsealed(toA.payload()))
        .isEqualTo(
            new SweepLeftovers(
                "vm-a", sweepId, List.of(new EndedMigration(failed, target("pw-a1")))));
    assertThat(b.unsealed(b.awaitSweep(WAIT).payload()).migrations())
        .containsExactly(new EndedMigration(cancelled, target("pw-b1")));
    assertThat(swept(neverDispatched)).as("nothing of it ever reached an agent").isTrue();

    a.emit(
        toA.payload().envelopeId(),
        0,
        1,
        new LeftoversSwept(
            sweepId,
            List.of(
                new Leftover(Leftover.Kind.DISK, "vol-1", failed, null),
                new Leftover(Leftover.Kind.DATABASE, "pgshuttle_stage_aaaa_1", failed, null)),
            List.of(),
            List.of(failed)));
    String refused = "target refused the password for user admin at target.example:5432";
    b.emit(
        toA.payload().envelopeId(),
        0,
        1,
        new LeftoversSwept(
            sweepId,
            List.of(),
            List.of(
                new Leftover(Leftover.Kind.DATABASE, "pgshuttle_stage_bbbb_*", cancelled, refused)),
            List.of()));
    await()
        .atMost(WAIT)
        .until(() -> api.get("/v1/gc/" + sweepId).json().get("complete").asBoolean());

    JsonNode reported = api.get("/v1/gc/" + sweepId).json();
    assertThat(reported.at("/instances/0/state").asText()).isEqualTo("REPORTED");
    assertThat(reported.at("/instances/0/reportedAt").asText()).matches("\\d{4}-.*Z");
    assertThat(reported.at("/instances/0/removed/0/kind").asText()).isEqualTo("DISK");
    assertThat(reported.at("/instances/0/removed/0/name").asText()).isEqualTo("vol-1");
    assertThat(reported.at("/instances/0/removed/0/detail").isNull()).isTrue();
    assertThat(reported.at("/instances/0/removed/1/name").asText())
        .isEqualTo("pgshuttle_stage_aaaa_1");
    assertThat(reported.at("/instances/0/cleanMigrations/0").asText()).isEqualTo(failed.toString());
    assertThat(reported.at("/instances/1/removed")).isEmpty();
    assertThat(reported.at("/instances/1/notRemoved/0/detail").asText()).isEqualTo(refused);
    assertThat(reported.toString()).doesNotContain("pw-a1").doesNotContain("pw-b1");
    assertThat(swept(failed)).isTrue();
    assertThat(swept(cancelled)).as("its agent could not remove everything").isFalse();
    assertThat(swept(running)).isFalse();
    assertThat(swept(succeeded)).isFalse();
    assertThat(c.unreadControls()).as("a SUCCEEDED migration leaves nothing").isZero();

    // The next sweep asks about the migration that is not clean yet, and waits for the report.
    CompletableFuture<Reply> waiting =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return api.post("/v1/gc?wait=PT20S", "");
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    Envelope<SweepLeftovers> again = b.awaitSweep(WAIT);
    assertThat(again.payload().migrations())
        .extracting(EndedMigration::migrationId)
        .containsExactly(cancelled);
    b.emit(
        again.payload().envelopeId(),
        0,
        1,
        new LeftoversSwept(
            again.payload().sweepId(),
            List.of(
                new Leftover(Leftover.Kind.DATABASE, "pgshuttle_stage_bbbb_1", cancelled, null)),
            List.of(),
            List.of(cancelled)));
    Reply done = waiting.get(20, TimeUnit.SECONDS);

    assertThat(done.status()).as(done.body()).isEqualTo(200);
    assertThat(done.json().get("complete").asBoolean()).isTrue();
    assertThat(instances(done.json())).containsExactly("vm-b");
    assertThat(done.json().at("/instances/0/removed/0/name").asText())
        .isEqualTo("pgshuttle_stage_bbbb_1");
    assertThat(swept(cancelled)).isTrue();
    assertThat(a.unreadControls()).isZero();
    assertThat(fixture.counter(CoordinatorMetrics.SWEEPS_SENT)).isEqualTo(3);
    assertThat(fixture.counter(CoordinatorMetrics.LEFTOVERS_REMOVED)).isEqualTo(3);
  }

  @Test
  void oneInstanceIsSweptAloneAnInstanceWithoutAgentIsSaidSoAndBadInputRefused() throws Exception {
    api = new ApiClient(fixture.start().httpPort());
    FakeAgent gone = fixture.agent("vm-gone");
    FakeAgent idle = fixture.agent("vm-idle");
    MigrationId failed = failOnItsLastAttempt(gone, "req-gone", "pw");
    gone.deleteControlQueue();

    Reply noAgent = api.post("/v1/gc?instance=vm-gone", "");

    assertThat(noAgent.status()).isEqualTo(202);
    assertThat(noAgent.json().get("instanceId").asText()).isEqualTo("vm-gone");
    assertThat(noAgent.json().get("complete").asBoolean()).isTrue();
    assertThat(noAgent.json().at("/instances/0/state").asText()).isEqualTo("NO_AGENT");
    assertThat(noAgent.json().at("/instances/0/error").asText())
        .startsWith("no agent for instance vm-gone")
        .contains(fixture.topology.agentControlQueue("vm-gone"));
    assertThat(swept(failed)).isFalse();

    Reply disksOnly = api.post("/v1/gc?instance=vm-idle", "");
    assertThat(disksOnly.status()).isEqualTo(202);
    Envelope<SweepLeftovers> sweep = idle.awaitSweep(WAIT);
    assertThat(sweep.payload().migrations()).as("its agent sweeps its disks").isEmpty();
    assertThat(sweep.payload().sweepId().toString())
        .isEqualTo(disksOnly.json().get("sweepId").asText());

    assertThat(api.post("/v1/gc?instance=a.b", "").json().get("error").asText())
        .startsWith("instance 'a.b' is invalid");
    Reply tooLong = api.post("/v1/gc?wait=PT5M", "");
    assertThat(tooLong.status()).isEqualTo(400);
    assertThat(tooLong.json().get("error").asText())
        .startsWith("wait must be an ISO-8601 duration from PT0S to PT1M");
    assertThat(api.post("/v1/gc?wait=soon", "").status()).isEqualTo(400);
    assertThat(api.get("/v1/gc/nope").json().get("error").asText())
        .startsWith("'nope' is not a sweep id");
    assertThat(api.get("/v1/gc/" + UUID.randomUUID()).status()).isEqualTo(404);
    Reply listing = api.get("/v1/gc");
    assertThat(listing.status()).isEqualTo(405);
    assertThat(listing.allow()).isEqualTo("POST");
    Reply posted = api.post("/v1/gc/" + UUID.randomUUID(), "");
    assertThat(posted.status()).isEqualTo(405);
    assertThat(posted.allow()).isEqualTo("GET");
  }

  @Test
  void theCoordinatorSweepsEveryIntervalAndKeepsTheReportOfAnAgentsOwnSweep() throws Exception {
    api =
        new ApiClient(
            fixture
                .start(
                    fixture.config(
                        CoordinatorFixture.DEFAULT_HEARTBEAT_TIMEOUT,
                        CoordinatorFixture.DEFAULT_INITIAL_BACKOFF,
                        CoordinatorFixture.DEFAULT_MAX_BACKOFF,
                        Duration.ofMillis(500)))
                .httpPort());
    FakeAgent agent = fixture.agent("vm-p");
    MigrationId failed = failOnItsLastAttempt(agent, "req-p", "pw-p");

    Envelope<SweepLeftovers> periodic = agent.awaitSweep(WAIT);

    assertThat(periodic.payload().migrations())
        .extracting(EndedMigration::migrationId)
        .containsExactly(failed);
    assertThat(api.get("/v1/gc/" + periodic.payload().sweepId()).json().get("trigger").asText())
        .isEqualTo("PERIODIC");

    LeftoversSwept own =
        new LeftoversSwept(
            UUID.randomUUID(),
            List.of(new Leftover(Leftover.Kind.DISK, "vol-9", null, null)),
            List.of(),
            List.of());
    agent.emit(own.envelopeId(), 0, 1, own);
    await().atMost(WAIT).until(() -> api.get("/v1/gc/" + own.sweepId()).status() == 200);
    JsonNode recorded = api.get("/v1/gc/" + own.sweepId()).json();
    assertThat(recorded.get("trigger").asText()).isEqualTo("AGENT");
    assertThat(recorded.at("/instances/0/instanceId").asText()).isEqualTo("vm-p");
    assertThat(recorded.at("/instances/0/removed/0/name").asText()).isEqualTo("vol-9");
    assertThat(recorded.at("/instances/0/removed/0/migrationId").isNull()).isTrue();
  }

  /** A migration of {@code agent}'s instance whose only attempt fails: FAILED. */
  private MigrationId failOnItsLastAttempt(FakeAgent agent, String requestId, String password)
      throws Exception {
    fixture.publishRequest(CoordinatorFixture.request(requestId, agent.instanceId(), password, 1));
    MigrationId id = agent.awaitCommand(WAIT).migrationId();
    agent.emit(
        id,
        1,
        1,
        new AttemptFailed(
            Step.RESTORE,
            "agent restarted during RESTORE; rolled back",
            true,
            List.of("RESTORE: left staging database \"pgshuttle_stage_x_1\" on the target")));
    await().atMost(WAIT).until(() -> fixture.state(id) == MigrationState.FAILED);
    return id;
  }

  /** A migration of {@code agent}'s instance cancelled while its attempt ran: CANCELLED. */
  private MigrationId cancelWhileRunning(FakeAgent agent, String requestId, String password)
      throws Exception {
    fixture.publishRequest(CoordinatorFixture.request(requestId, agent.instanceId(), password));
    MigrationId id = agent.awaitCommand(WAIT).migrationId();
    assertThat(api.post("/v1/migrations/" + id + "/cancel", "").status()).isEqualTo(202);
    agent.awaitCancel(WAIT);
    agent.emit(id, 1, 1, new AttemptFailed(Step.DUMP, "migration cancelled", false, List.of()));
    await().atMost(WAIT).until(() -> fixture.state(id) == MigrationState.CANCELLED);
    return id;
  }

  /** The target of {@link CoordinatorFixture#request}, with {@code password}. */
  private static TargetServer target(String password) {
    return new TargetServer("target.example", 5432, "admin", Secret.of(password), null);
  }

  private boolean swept(MigrationId id) {
    return fixture
        .storeValue(
            "SELECT swept_at IS NOT NULL FROM pgshuttle.migrations WHERE migration_id = '"
                + id
                + "'")
        .equals("t");
  }

  private static List<String> instances(JsonNode sweep) {
    List<String> instances = new ArrayList<>();
    sweep.get("instances").forEach(instance -> instances.add(instance.get("instanceId").asText()));
    return instances;
  }
}
