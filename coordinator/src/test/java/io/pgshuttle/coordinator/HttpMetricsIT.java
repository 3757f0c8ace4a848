package io.pgshuttle.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgshuttle.coordinator.ApiClient.Reply;
import io.pgshuttle.coordinator.dispatch.AttemptScheduler;
import io.pgshuttle.coordinator.http.HttpApi;
import io.pgshuttle.coordinator.intake.MigrationIntake;
import io.pgshuttle.coordinator.status.MigrationState;
import io.pgshuttle.coordinator.store.Database;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.MigrationRequest;
import io.pgshuttle.messages.MigrationSucceeded;
import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.StepProgress;
import io.pgshuttle.messages.StepStarted;
import io.pgshuttle.messages.StepSucceeded;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code GET /metrics}: what a migration's events do to the Prometheus exposition. */
class HttpMetricsIT extends WithCoordinatorFixture {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void aSucceededMigrationShowsInTheCountersTimersAndStoreGauges() throws Exception {
    ApiClient api =
        new ApiClient(fixture.start().httpPort(), CoordinatorFixture.READ.token().reveal());
    FakeAgent agent = fixture.agent("vm-metrics");
    MigrationRequest request = CoordinatorFixture.request("req-metrics", "vm-metrics", "pw");
    fixture.publishRequest(request);
    MigrationId id = agent.awaitCommand(WAIT).migrationId();
    fixture.publishRequest(CoordinatorFixture.request("req-lost", "vm-without-agent", "pw"));
    await()
        .atMost(WAIT)
        .until(() -> fixture.state(MigrationId.forRequest("req-lost")) == MigrationState.FAILED);

    Map<String, Double> running = samples(api.get("/metrics"));
    assertThat(running)
        .containsEntry("pgshuttle_coordinator_attempts_started", 2.0)
        .containsEntry("pgshuttle_coordinator_attempts_failed", 1.0)
        .containsEntry("pgshuttle_coordinator_migrations_state_pending", 0.0)
        .containsEntry("pgshuttle_coordinator_migrations_state_running", 1.0)
        .containsEntry("pgshuttle_coordinator_migrations_state_failed", 1.0)
        .containsEntry("pgshuttle_coordinator_outbox_oldest_unpublished_seconds", 0.0);

    long seq = 1;
    agent.emit(id, 1, seq++, new StepStarted(Step.DUMP));
    agent.emit(id, 1, seq++, new StepProgress(Step.DUMP, 100.0, 4096L, 4096L, 2, 2, null));
    Map<String, Double> dumping = awaitSamples(api, seq - 1);
    assertThat(dumping).containsEntry("pgshuttle_coordinator_steps_state_running", 1.0);
    agent.emit(id, 1, seq++, new StepSucceeded(Step.DUMP, 2500, "2 databases"));
    agent.emit(id, 1, seq++, new StepStarted(Step.RESTORE));
    agent.emit(id, 1, seq++, new StepProgress(Step.RESTORE, 50.0, 1000L, 4096L, 1, 2, null));
    agent.emit(id, 1, seq++, new StepProgress(Step.RESTORE, 100.0, 4000L, 4096L, 2, 2, null));
    agent.emit(id, 1, seq++, new StepSucceeded(Step.RESTORE, 1500, null));
    agent.emit(id, 1, seq++, new MigrationSucceeded(List.of("app"), "equal"));
    await().atMost(WAIT).until(() -> fixture.state(id) == MigrationState.SUCCEEDED);

    Reply reply = api.get("/metrics");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.contentType()).startsWith("text/plain; version=0.0.4");
    assertThat(reply.body())
        .contains("# TYPE pgshuttle_coordinator_attempts_started ")
        .contains("# TYPE pgshuttle_coordinator_steps_duration_dump summary");
    Map<String, Double> done = samples(reply);
    assertThat(done)
        .containsEntry("pgshuttle_coordinator_attempts_started", 2.0)
        .containsEntry("pgshuttle_coordinator_attempts_succeeded", 1.0)
        .containsEntry("pgshuttle_coordinator_bytes_dumped", 4096.0)
        .containsEntry("pgshuttle_coordinator_bytes_restored", 4000.0)
        .containsEntry("pgshuttle_coordinator_steps_duration_dump_count", 1.0)
        .containsEntry("pgshuttle_coordinator_steps_duration_restore_count", 1.0)
        .containsEntry("pgshuttle_coordinator_events_fold_delay_count", (double) (seq - 1))
        .containsEntry("pgshuttle_coordinator_migrations_state_running", 0.0)
        .containsEntry("pgshuttle_coordinator_migrations_state_succeeded", 1.0)
        .containsEntry("pgshuttle_coordinator_steps_state_succeeded", 2.0)
        .containsEntry("pgshuttle_coordinator_steps_state_running", 0.0);
    assertThat(done.get("pgshuttle_coordinator_steps_duration_dump{quantile=\"0.5\"}"))
        .isEqualTo(2.5);
  }

  @Test
  void aCommandWaitingInTheOutboxShowsAsQueueLag() throws Exception {
    // Store and HTTP only: no dispatch loop publishes the outbox, so the command stays in it.
    fixture.wire(fixture.config());
    Database database = fixture.get(Database.class);
    HttpApi http = fixture.get(HttpApi.class);
    database.open();
    try {
      http.start(0);
      fixture
          .get(MigrationIntake.class)
          .submit(CoordinatorFixture.request("req-lag", "vm-lag", "pw"));
      assertThat(fixture.get(AttemptScheduler.class).startDueAttempts()).isEqualTo(1);
      fixture.cluster.execute(
          fixture.storeDatabase,
          "UPDATE pgshuttle.outbox SET created_at = now() - interval '90 seconds'");

      Map<String, Double> samples = samples(new ApiClient(http.port()).get("/metrics"));

      assertThat(samples.get("pgshuttle_coordinator_outbox_oldest_unpublished_seconds"))
          .isBetween(90.0, 3600.0);
      assertThat(samples)
          .containsEntry("pgshuttle_coordinator_attempts_started", 1.0)
          .containsEntry("pgshuttle_coordinator_migrations_state_running", 1.0);
    } finally {
      http.close();
      database.close();
    }
  }

  private Map<String, Double> awaitSamples(ApiClient api, long folded) {
    return await()
        .atMost(WAIT)
        .until(
            () -> samples(api.get("/metrics")),
            samples ->
                samples.getOrDefault("pgshuttle_coordinator_events_fold_delay_count", 0.0)
                    >= folded);
  }

  /** Each sample line of the exposition, by its name and labels. */
  private static Map<String, Double> samples(Reply reply) {
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    Map<String, Double> samples = new HashMap<>();
    for (String line : reply.body().split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      // The simpleclient writes labels with a trailing comma: {quantile="0.5",}.
      samples.put(
          line.substring(0, space).replace(",}", "}"),
          Double.parseDouble(line.substring(space + 1)));
    }
    return samples;
  }
}
