package io.pgshuttle.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgshuttle.coordinator.ApiClient.Reply;
import io.pgshuttle.coordinator.dispatch.AttemptScheduler;
import io.pgshuttle.coordinator.dispatch.CancelOutcome;
import io.pgshuttle.coordinator.dispatch.CoordinatorEvents;
import io.pgshuttle.coordinator.dispatch.MigrationCanceller;
import io.pgshuttle.coordinator.intake.MigrationIntake;
import io.pgshuttle.coordinator.status.AttemptState;
import io.pgshuttle.coordinator.status.AttemptStatus;
import io.pgshuttle.coordinator.status.MigrationState;
import io.pgshuttle.coordinator.status.MigrationStatus;
import io.pgshuttle.coordinator.store.Database;
import io.pgshuttle.messages.AttemptFailed;
import io.pgshuttle.messages.CancelMigration;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.MigrationCancelled;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.MigrationRequest;
import io.pgshuttle.messages.MigrationSucceeded;
import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.StepFailed;
import io.pgshuttle.messages.StepStarted;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code POST /v1/migrations/{id}/cancel} against the real broker and store. */
class CancelIT extends WithCoordinatorFixture {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private int port;

  @Test
  void aRunningAttemptIsToldToStopAndItsFailureEndsTheMigrationCancelledWithoutRetry()
      throws Exception {
    port = fixture.start().httpPort();
    EventTap tap = fixture.tap();
    FakeAgent agent = fixture.agent("vm-stop");
    fixture.publishRequest(CoordinatorFixture.request("req-stop", "vm-stop", "pw"));
    MigrationId id = agent.awaitCommand(WAIT).migrationId();
    agent.emit(id, 1, 1, new StepStarted(Step.DUMP));

    Reply accepted = cancel(id, "{\"reason\": \"wrong target\"}");

    assertThat(accepted.status()).isEqualTo(202);
    assertThat(accepted.json().get("state").asText()).isEqualTo("RUNNING");
    assertThat(accepted.json().get("cancelReason").asText()).isEqualTo("wrong target");
    assertThat(accepted.json().get("cancelRequestedAt").asText()).matches("\\d{4}-.*Z");
    Envelope<CancelMigration> command = agent.awaitCancel(WAIT);
    assertThat(command.migrationId()).isEqualTo(id);
    assertThat(command.attempt()).isEqualTo(1);
    assertThat(command.instanceId()).isEqualTo("vm-stop");
    assertThat(command.payload()).isEqualTo(new CancelMigration("vm-stop", "wrong target"));

    // Asked again while the agent stops: accepted, and nothing more happens.
    Reply again = cancel(id, "{\"reason\": \"another reason\"}");
    assertThat(again.status()).isEqualTo(202);
    assertThat(again.json().get("cancelReason").asText()).isEqualTo("wrong target");

    // The agent rolls back and reports as the real one does.
    String agentError = "migration cancelled: wrong target";
    agent.emit(id, 1, 2, new StepFailed(Step.DUMP, agentError, false));
    agent.emit(id, 1, 3, new AttemptFailed(Step.DUMP, agentError, false, List.of()));
    await().atMost(WAIT).until(() -> fixture.state(id) == MigrationState.CANCELLED);

    MigrationStatus status = fixture.status(id);
    assertThat(status.error())
        .isEqualTo("cancelled on request: wrong target (attempt 1 ended: " + agentError + ")");
    assertThat(status.finishedAt()).isNotNull();
    assertThat(status.nextAttemptAt()).isNull();
    assertThat(status.attempts())
        .singleElement()
        .satisfies(
            attempt -> {
              assertThat(attempt.state()).isEqualTo(AttemptState.FAILED);
              assertThat(attempt.error()).isEqualTo(agentError);
              assertThat(attempt.retryable()).isFalse();
            });
    Envelope<Event> cancelled =
        tap.await(envelope -> envelope.payload() instanceof MigrationCancelled, WAIT);
    assertThat(cancelled.migrationId()).isEqualTo(id);
    assertThat(cancelled.attempt()).isEqualTo(1);
    assertThat(cancelled.seq()).isEqualTo(CoordinatorEvents.MIGRATION_CANCELLED_SEQ);
    assertThat(cancelled.payload()).isEqualTo(new MigrationCancelled("wrong target"));
    await()
        .during(Duration.ofSeconds(1))
        .atMost(WAIT)
        .until(() -> agent.unreadCommands() == 0 && agent.unreadControls() == 0);
    assertThat(fixture.counter(CoordinatorMetrics.MIGRATIONS_CANCELLED)).isEqualTo(1);

    // Cancelling a cancelled migration is accepted too, and changes nothing.
    Reply late = cancel(id, "");
    assertThat(late.status()).isEqualTo(202);
    assertThat(late.json().get("state").asText()).isEqualTo("CANCELLED");
    assertThat(late.json().get("error").asText()).isEqualTo(status.error());
    assertThat(fixture.status(id)).isEqualTo(status);
    assertThat(
            fixture.storeValue(
                "SELECT count(*) FROM pgshuttle.outbox WHERE kind = 'CANCEL_MIGRATION'"))
        .isEqualTo("1");
  }

  @Test
  void aMigrationWaitingForItsNextAttemptIsCancelledAtOnceAndNeverRetried() throws Exception {
    port =
        fixture
            .start(
                fixture.config(
                    Duration.ofSeconds(30), Duration.ofSeconds(2), Duration.ofSeconds(2)))
            .httpPort();
    EventTap tap = fixture.tap();
    FakeAgent agent = fixture.agent("vm-wait");
    fixture.publishRequest(CoordinatorFixture.request("req-wait", "vm-wait", "pw"));
    MigrationId id = agent.awaitCommand(WAIT).migrationId();
    agent.emit(
        id, 1, 1, new AttemptFailed(Step.RESTORE, "target refused connections", true, List.of()));
    await().atMost(WAIT).until(() -> fixture.status(id).nextAttemptAt() != null);

    Reply accepted = cancel(id, "");

    assertThat(accepted.status()).isEqualTo(202);
    assertThat(accepted.json().get("state").asText()).isEqualTo("CANCELLED");
    assertThat(accepted.json().get("cancelReason").isNull()).isTrue();
    MigrationStatus status = fixture.status(id);
    assertThat(status.state()).isEqualTo(MigrationState.CANCELLED);
    assertThat(status.error())
        .isEqualTo("cancelled on request: no reason given (while waiting to start attempt 2)");
    assertThat(status.nextAttemptAt()).isNull();
    Envelope<Event> cancelled =
        tap.await(envelope -> envelope.payload() instanceof MigrationCancelled, WAIT);
    assertThat(cancelled.attempt()).isEqualTo(1);
    assertThat(cancelled.payload()).isEqualTo(new MigrationCancelled(null));
    // Well past the backoff: no second attempt, and no agent was bothered.
    await()
        .during(Duration.ofSeconds(3))
        .atMost(WAIT)
        .until(() -> agent.unreadCommands() == 0 && agent.unreadControls() == 0);
    assertThat(fixture.status(id).attempts())
        .extracting(AttemptStatus::state)
        .containsExactly(AttemptState.FAILED);
    assertThat(fixture.status(id).attempts().get(0).error())
        .isEqualTo("target refused connections");
  }

  @Test
  void aMigrationNoAgentHasSeenIsCancelledAtOnceAndItsCommandNeverGoesOut() throws Exception {
    FakeAgent dispatchedAgent = fixture.agent("vm-queued");
    FakeAgent pendingAgent = fixture.agent("vm-pending");
    MigrationRequest dispatched = CoordinatorFixture.request("req-queued", "vm-queued", "pw");
    MigrationRequest pending = CoordinatorFixture.request("req-pending", "vm-pending", "pw");
    // A coordinator that committed the first migration's attempt, but not yet published it, and
    // recorded the second one, not yet dispatched.
    fixture.wire(fixture.config());
    try (Database database = fixture.get(Database.class)) {
      database.open();
      fixture.get(MigrationIntake.class).submit(dispatched);
      assertThat(fixture.get(AttemptScheduler.class).startDueAttempts()).isEqualTo(1);
      fixture.get(MigrationIntake.class).submit(pending);
      MigrationCanceller canceller = fixture.get(MigrationCanceller.class);

      assertThat(canceller.cancel(dispatched.migrationId(), "not needed", "test"))
          .isEqualTo(new CancelOutcome.Accepted(MigrationState.CANCELLED));
      assertThat(canceller.cancel(pending.migrationId(), "not needed", "test"))
          .isEqualTo(new CancelOutcome.Accepted(MigrationState.CANCELLED));
    }
    EventTap tap = fixture.tap();
    fixture.start();

    Envelope<Event> first = awaitCancelled(tap, dispatched.migrationId());
    Envelope<Event> second = awaitCancelled(tap, pending.migrationId());
    assertThat(first.attempt()).isEqualTo(1);
    assertThat(second.attempt()).isZero();
    await()
        .atMost(WAIT)
        .until(
            () ->
                fixture
                    .storeValue(
                        "SELECT outcome FROM pgshuttle.outbox WHERE kind = 'START_MIGRATION'")
                    .equals("SKIPPED"));
    await()
        .during(Duration.ofSeconds(1))
        .atMost(WAIT)
        .until(() -> dispatchedAgent.unreadCommands() == 0 && pendingAgent.unreadCommands() == 0);
    MigrationStatus wasDispatched = fixture.status(dispatched.migrationId());
    assertThat(wasDispatched.state()).isEqualTo(MigrationState.CANCELLED);
    assertThat(wasDispatched.error())
        .isEqualTo("cancelled on request: not needed (before attempt 1 reached the agent)");
    assertThat(wasDispatched.attempts())
        .singleElement()
        .satisfies(
            attempt -> {
              assertThat(attempt.state()).isEqualTo(AttemptState.FAILED);
              assertThat(attempt.retryable()).isFalse();
            });
    MigrationStatus wasPending = fixture.status(pending.migrationId());
    assertThat(wasPending.state()).isEqualTo(MigrationState.CANCELLED);
    assertThat(wasPending.attempt()).isZero();
    assertThat(wasPending.attempts()).isEmpty();
    assertThat(wasPending.error())
        .isEqualTo("cancelled on request: not needed (before its first attempt)");
    assertThat(wasPending.finishedAt()).isNotNull();
  }

  @Test
  void aCancelNoControlQueueTakesEndsTheMigrationAtOnce() throws Exception {
    port = fixture.start().httpPort();
    FakeAgent agent = fixture.agent("vm-gone");
    fixture.publishRequest(CoordinatorFixture.request("req-gone", "vm-gone", "pw"));
    MigrationId id = agent.awaitCommand(WAIT).migrationId();
    agent.deleteControlQueue();

    assertThat(cancel(id, "{\"reason\": \"agent lost\"}").status()).isEqualTo(202);
    await().atMost(WAIT).until(() -> fixture.state(id) == MigrationState.CANCELLED);

    MigrationStatus status = fixture.status(id);
    assertThat(status.error())
        .isEqualTo(
            "cancelled on request: agent lost (the agent of instance vm-gone is gone: its control"
                + " queue "
                + fixture.topology.agentControlQueue("vm-gone")
                + " does not exist, so attempt 1 was not told to stop)");
    assertThat(status.attempts().get(0).state()).isEqualTo(AttemptState.FAILED);
    assertThat(
            fixture.storeValue(
                "SELECT outcome FROM pgshuttle.outbox WHERE kind = 'CANCEL_MIGRATION'"))
        .isEqualTo("UNROUTABLE");
  }

  @Test
  void endedUnknownAndMalformedCancelsAreRefusedWithJsonErrors() throws Exception {
    port = fixture.start().httpPort();
    FakeAgent agent = fixture.agent("vm-done");
    fixture.publishRequest(CoordinatorFixture.request("req-done", "vm-done", "pw"));
    MigrationId done = agent.awaitCommand(WAIT).migrationId();
    assertThat(cancel(done, "{\"reason\": \"too slow\"}").status()).isEqualTo(202);
    agent.awaitCancel(WAIT);
    // The agent had finished before the cancel reached it: SUCCEEDED stands.
    agent.emit(done, 1, 1, new MigrationSucceeded(List.of("app"), "verified"));
    await().atMost(WAIT).until(() -> fixture.state(done) == MigrationState.SUCCEEDED);
    assertThat(fixture.status(done).cancelRequestedAt()).isNotNull();
    assertThat(fixture.status(done).error()).isNull();

    Reply succeeded = cancel(done, "{}");
    assertThat(succeeded.status()).isEqualTo(409);
    assertThat(succeeded.json().get("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(succeeded.json().get("error").asText())
        .isEqualTo("migration " + done + " ended SUCCEEDED already: there is nothing to cancel");

    fixture.publishRequest(CoordinatorFixture.request("req-nobody", "vm-nobody", "pw"));
    MigrationId failed = MigrationId.forRequest("req-nobody");
    await().atMost(WAIT).until(() -> fixture.state(failed) == MigrationState.FAILED);
    Reply afterFailure = cancel(failed, "");
    assertThat(afterFailure.status()).isEqualTo(409);
    assertThat(afterFailure.json().get("state").asText()).isEqualTo("FAILED");
    assertThat(fixture.status(failed).cancelRequestedAt()).isNull();

    Reply unknown = cancel(MigrationId.forRequest("never-sent"), "");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.json().get("error").asText()).startsWith("no migration ");
    Reply malformedId = post("/v1/migrations/not-a-uuid/cancel", "");
    assertThat(malformedId.status()).isEqualTo(400);
    assertThat(malformedId.json().get("error").asText())
        .startsWith("'not-a-uuid' is not a migration id");
    assertThat(cancel(failed, "{not json").json().get("error").asText())
        .startsWith("the request body is not JSON");
    assertThat(cancel(failed, "[\"x\"]").json().get("error").asText())
        .isEqualTo("the request body must be a JSON object such as {\"reason\": \"...\"}");
    Reply numeric = cancel(failed, "{\"reason\": 5}");
    assertThat(numeric.status()).isEqualTo(400);
    assertThat(numeric.json().get("error").asText())
        .isEqualTo("'reason' must be a string, not NUMBER");
    assertThat(cancel(failed, "{\"reason\": \"" + "x".repeat(1001) + "\"}").status())
        .isEqualTo(400);

    Reply get = new ApiClient(port).get("/v1/migrations/" + done + "/cancel");
    assertThat(get.status()).isEqualTo(405);
    assertThat(get.allow()).isEqualTo("POST");
  }

  private static Envelope<Event> awaitCancelled(EventTap tap, MigrationId id) throws Exception {
    return tap.await(
        envelope ->
            envelope.payload() instanceof MigrationCancelled && envelope.migrationId().equals(id),
        WAIT);
  }

  private Reply cancel(MigrationId id, String body) throws Exception {
    return post("/v1/migrations/" + id + "/cancel", body);
  }

  private Reply post(String path, String body) throws Exception {
    return new ApiClient(port).post(path, body);
  }
}
