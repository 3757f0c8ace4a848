package io.pgshuttle.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.pgshuttle.coordinator.dispatch.CoordinatorEvents;
import io.pgshuttle.coordinator.status.AttemptState;
import io.pgshuttle.coordinator.status.AttemptStatus;
import io.pgshuttle.coordinator.status.MigrationState;
import io.pgshuttle.coordinator.status.MigrationStatus;
import io.pgshuttle.coordinator.status.StepProgressView;
import io.pgshuttle.coordinator.status.StepState;
import io.pgshuttle.coordinator.status.StepStatus;
import io.pgshuttle.messages.AgentHeartbeat;
import io.pgshuttle.messages.AttemptFailed;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.HostileMessages;
import io.pgshuttle.messages.MigrationFailed;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.MigrationRequest;
import io.pgshuttle.messages.MigrationSucceeded;
import io.pgshuttle.messages.StartMigration;
import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.StepFailed;
import io.pgshuttle.messages.StepProgress;
import io.pgshuttle.messages.StepStarted;
import io.pgshuttle.messages.StepSucceeded;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

class EventFoldingIT extends WithCoordinatorFixture {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void agentEventsFoldIntoStepsProgressAndTimingsAndRepeatsChangeNothing() throws Exception {
    fixture.start();
    FakeAgent agent = fixture.agent("vm-fold");
    MigrationRequest request = CoordinatorFixture.request("req-fold", "vm-fold", "pw");
    fixture.publishRequest(request);
    MigrationId id = agent.awaitCommand(WAIT).migrationId();
    Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    agent.emit(id, 1, 1, t0, new StepStarted(Step.PREFLIGHT));
    agent.emit(id, 1, 2, t0.plusMillis(1500), new StepSucceeded(Step.PREFLIGHT, 1500, "ok"));
    agent.emit(id, 1, 3, t0.plusSeconds(2), new StepStarted(Step.DUMP));
    Envelope<Event> progress =
        agent.emit(
            id,
            1,
            4,
            t0.plusSeconds(3),
            new StepProgress(Step.DUMP, 40.0, 400L, 1000L, 2, 5, "public.orders", 95L));
    awaitFolded(4);

    MigrationStatus status = fixture.status(id);
    assertThat(status.state()).isEqualTo(MigrationState.RUNNING);
    assertThat(status.lastHeartbeatAt()).isNotNull();
    assertThat(status.attempts())
        .singleElement()
        .extracting(AttemptStatus::state)
        .isEqualTo(AttemptState.RUNNING);
    assertThat(status.steps()).extracting(StepStatus::name).containsExactly(Step.values());
    StepStatus preflight = step(status, Step.PREFLIGHT);
    assertThat(preflight.state()).isEqualTo(StepState.SUCCEEDED);
    assertThat(preflight.startedAt()).isEqualTo(t0);
    assertThat(preflight.finishedAt()).isEqualTo(t0.plusMillis(1500));
    assertThat(preflight.summary()).isEqualTo("ok");
    StepStatus dump = step(status, Step.DUMP);
    assertThat(dump.state()).isEqualTo(StepState.RUNNING);
    assertThat(dump.startedAt()).isEqualTo(t0.plusSeconds(2));
    assertThat(dump.progress())
        .isEqualTo(new StepProgressView(40.0, 400L, 1000L, 2, 5, "public.orders", 95L));
    assertThat(step(status, Step.RESTORE).state()).isEqualTo(StepState.PENDING);

    // The same event again, and another event reusing its seq: both are duplicates.
    agent.emit(progress);
    agent.emit(id, 1, 4, new StepProgress(Step.DUMP, 90.0, 900L, 1000L, 4, 5, "again"));
    agent.emit(id, 1, 2, new StepFailed(Step.PREFLIGHT, "duplicate seq", false));
    awaitIgnored(3);
    assertThat(fixture.status(id).steps()).isEqualTo(status.steps());

    agent.emit(
        id, 1, 5, t0.plusSeconds(4), new StepProgress(Step.DUMP, 100.0, 1000L, 1000L, 5, 5, null));
    agent.emit(id, 1, 6, t0.plusSeconds(5), new StepSucceeded(Step.DUMP, 3000, "5 tables"));
    agent.emit(
        id, 1, 7, t0.plusSeconds(6), new MigrationSucceeded(List.of("app"), "verified 5 tables"));
    awaitFolded(7);
    MigrationStatus succeeded = fixture.status(id);
    assertThat(succeeded.state()).isEqualTo(MigrationState.SUCCEEDED);
    assertThat(succeeded.verification()).isEqualTo("verified 5 tables");
    assertThat(succeeded.finishedAt()).isNotNull();
    assertThat(succeeded.error()).isNull();
    assertThat(succeeded.attempts().get(0).state()).isEqualTo(AttemptState.SUCCEEDED);
    assertThat(step(succeeded, Step.DUMP).progress().percent()).isEqualTo(100.0);

    // A late event of a finished migration is kept but changes nothing.
    agent.emit(id, 1, 8, new StepFailed(Step.CLEANUP, "late", true));
    awaitIgnored(4);
    assertThat(fixture.status(id)).isEqualTo(succeeded);
    assertThat(
            fixture.storeValue(
                "SELECT count(*) FROM pgshuttle.events WHERE migration_id = '"
                    + id
                    + "' AND NOT applied"))
        .isEqualTo("1");
  }

  /**
   * Someone deletes the coordinator's requests and events queues: the coordinator declares them
   * again, takes the next request and folds its events. (Automatic recovery does not cover this:
   * the broker cancels the consumers, and the connection stays up.)
   */
  @Test
  void deletedQueuesAreDeclaredAgainAndConsumed() throws Exception {
    fixture.start();
    FakeAgent agent = fixture.agent("vm-deleted");
    List<String> queues =
        List.of(fixture.topology.requestsQueue(), fixture.topology.coordinatorEventsQueue());
    for (String queue : queues) {
      fixture.deleteQueue(queue);
    }

    for (String queue : queues) {
      await().atMost(WAIT).until(() -> fixture.consumers(queue) == 1);
    }
    fixture.publishRequest(CoordinatorFixture.request("req-deleted", "vm-deleted", "pw"));
    MigrationId id = agent.awaitCommand(WAIT).migrationId();
    agent.emit(id, 1, 1, new StepStarted(Step.PREFLIGHT));

    awaitFolded(1);
    assertThat(step(fixture.status(id), Step.PREFLIGHT).state()).isEqualTo(StepState.RUNNING);
  }

  /**
   * DUMP and RESTORE run at once on the agent: their events interleave, both steps show RUNNING
   * with their own progress, and each ends on its own event.
   */
  @Test
  void eventsOfTwoStepsRunningAtOnceFoldIntoEachStep() throws Exception {
    fixture.start();
    FakeAgent agent = fixture.agent("vm-overlap");
    fixture.publishRequest(CoordinatorFixture.request("req-overlap", "vm-overlap", "pw"));
    MigrationId id = agent.awaitCommand(WAIT).migrationId();
    Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    long bytesDumped = fixture.counter(CoordinatorMetrics.BYTES_DUMPED);
    long bytesRestored = fixture.counter(CoordinatorMetrics.BYTES_RESTORED);

    agent.emit(id, 1, 1, t0, new StepStarted(Step.DUMP));
    agent.emit(id, 1, 2, t0.plusMillis(10), new StepStarted(Step.RESTORE));
    agent.emit(
        id, 1, 3, t0.plusSeconds(1), new StepProgress(Step.DUMP, null, 400L, 1000L, 2, 5, "b", 6L));
    agent.emit(
        id,
        1,
        4,
        t0.plusSeconds(1),
        new StepProgress(Step.RESTORE, null, 100L, 1000L, 1, 5, "a", 40L));
    agent.emit(
        id, 1, 5, t0.plusSeconds(2), new StepProgress(Step.DUMP, null, 700L, 1000L, 4, 5, "d", 2L));
    awaitFolded(5);

    MigrationStatus both = fixture.status(id);
    StepStatus dump = step(both, Step.DUMP);
    StepStatus restore = step(both, Step.RESTORE);
    assertThat(dump.state()).isEqualTo(StepState.RUNNING);
    assertThat(dump.startedAt()).isEqualTo(t0);
    assertThat(dump.progress()).isEqualTo(new StepProgressView(null, 700L, 1000L, 4, 5, "d", 2L));
    assertThat(restore.state()).isEqualTo(StepState.RUNNING);
    assertThat(restore.startedAt()).isEqualTo(t0.plusMillis(10));
    assertThat(restore.progress())
        .isEqualTo(new StepProgressView(null, 100L, 1000L, 1, 5, "a", 40L));

    agent.emit(
        id,
        1,
        6,
        t0.plusSeconds(3),
        new StepProgress(Step.DUMP, null, 1000L, 1000L, 5, 5, null, 0L));
    agent.emit(id, 1, 7, t0.plusSeconds(3), new StepSucceeded(Step.DUMP, 3000, "5 tables"));
    agent.emit(
        id,
        1,
        8,
        t0.plusSeconds(4),
        new StepProgress(Step.RESTORE, null, 800L, 1000L, 4, 5, "e", 1L));
    awaitFolded(8);

    MigrationStatus dumped = fixture.status(id);
    assertThat(step(dumped, Step.DUMP).state()).isEqualTo(StepState.SUCCEEDED);
    assertThat(step(dumped, Step.DUMP).finishedAt()).isEqualTo(t0.plusSeconds(3));
    assertThat(step(dumped, Step.DUMP).summary()).isEqualTo("5 tables");
    assertThat(step(dumped, Step.RESTORE).state()).isEqualTo(StepState.RUNNING);
    assertThat(step(dumped, Step.RESTORE).progress())
        .isEqualTo(new StepProgressView(null, 800L, 1000L, 4, 5, "e", 1L));
    assertThat(fixture.counter(CoordinatorMetrics.BYTES_DUMPED) - bytesDumped).isEqualTo(1000);

    agent.emit(
        id,
        1,
        9,
        t0.plusSeconds(5),
        new StepProgress(Step.RESTORE, null, 1000L, 1000L, 5, 5, null, 0L));
    agent.emit(id, 1, 10, t0.plusSeconds(5), new StepSucceeded(Step.RESTORE, 4990, "restored"));
    awaitFolded(10);

    MigrationStatus restored = fixture.status(id);
    assertThat(step(restored, Step.RESTORE).state()).isEqualTo(StepState.SUCCEEDED);
    assertThat(step(restored, Step.RESTORE).startedAt()).isEqualTo(t0.plusMillis(10));
    assertThat(step(restored, Step.DUMP)).isEqualTo(step(dumped, Step.DUMP));
    assertThat(restored.state()).isEqualTo(MigrationState.RUNNING);
    assertThat(fixture.counter(CoordinatorMetrics.BYTES_RESTORED) - bytesRestored).isEqualTo(1000);
  }

  @Test
  void afterABurstOfHostileEventsAValidOneStillFolds() throws Exception {
    fixture.start();
    FakeAgent agent = fixture.agent("vm-hostile-events");
    fixture.publishRequest(
        CoordinatorFixture.request("req-hostile-events", "vm-hostile-events", "pw"));
    MigrationId id = agent.awaitCommand(WAIT).migrationId();
    for (byte[] body : HostileMessages.bodies().sampleStream().limit(500).toList()) {
      agent.emitRaw(id, body);
    }

    agent.emit(id, 1, 1, new StepStarted(Step.PREFLIGHT));

    await()
        .atMost(Duration.ofMinutes(1))
        .until(() -> step(fixture.status(id), Step.PREFLIGHT).state() == StepState.RUNNING);
    assertThat(fixture.status(id).state()).isEqualTo(MigrationState.RUNNING);
  }

  @Test
  void aRetryableFailureCommandsTheNextAttemptAfterTheBackoff() throws Exception {
    fixture.start(
        fixture.config(Duration.ofSeconds(30), Duration.ofMillis(500), Duration.ofSeconds(2)));
    FakeAgent agent = fixture.agent("vm-retry");
    fixture.publishRequest(CoordinatorFixture.request("req-retry", "vm-retry", "pw"));
    Envelope<StartMigration> first = agent.awaitCommand(WAIT);
    MigrationId id = first.migrationId();

    agent.emit(id, 1, 1, new StepStarted(Step.RESTORE));
    Instant failedAt = Instant.now();
    agent.emit(
        id, 1, 2, new AttemptFailed(Step.RESTORE, "target refused connections", true, List.of()));
    Envelope<StartMigration> second = agent.awaitCommand(WAIT);

    assertThat(Duration.between(failedAt, Instant.now()))
        .isGreaterThanOrEqualTo(Duration.ofMillis(400));
    assertThat(second.attempt()).isEqualTo(2);
    assertThat(second.payload().fencingToken()).isGreaterThan(first.payload().fencingToken());
    assertThat(agent.password(second).reveal()).isEqualTo("pw");
    MigrationStatus status = fixture.status(id);
    assertThat(status.state()).isEqualTo(MigrationState.RUNNING);
    assertThat(status.attempt()).isEqualTo(2);
    assertThat(status.error()).isEqualTo("target refused connections");
    assertThat(status.attempts()).hasSize(2);
    assertThat(status.attempts().get(0).state()).isEqualTo(AttemptState.FAILED);
    assertThat(status.attempts().get(0).error()).isEqualTo("target refused connections");
    assertThat(status.attempts().get(0).retryable()).isTrue();
    assertThat(status.attempts().get(1).state()).isEqualTo(AttemptState.DISPATCHED);
    assertThat(status.steps()).allMatch(step -> step.state() == StepState.PENDING);

    // A late event of attempt 1 is stale: attempt 2's view does not change.
    long ignored = fixture.counter(CoordinatorMetrics.EVENTS_IGNORED);
    agent.emit(id, 1, 3, new StepStarted(Step.CLEANUP));
    await().atMost(WAIT).until(() -> fixture.counter(CoordinatorMetrics.EVENTS_IGNORED) > ignored);
    assertThat(fixture.status(id).steps()).isEqualTo(status.steps());
  }

  @Test
  void aFailureThatIsNotRetryableFailsTheMigration() throws Exception {
    fixture.start();
    EventTap tap = fixture.tap();
    FakeAgent agent = fixture.agent("vm-fatal");
    fixture.publishRequest(CoordinatorFixture.request("req-fatal", "vm-fatal", "pw"));
    MigrationId id = agent.awaitCommand(WAIT).migrationId();

    agent.emit(id, 1, 1, new StepFailed(Step.VERIFY, "row count of public.t differs", false));
    agent.emit(
        id,
        1,
        2,
        new AttemptFailed(
            Step.VERIFY, "row count of public.t differs", false, List.of("disk d-1 not deleted")));
    await().atMost(WAIT).until(() -> fixture.state(id) == MigrationState.FAILED);

    MigrationStatus status = fixture.status(id);
    assertThat(status.error())
        .isEqualTo("row count of public.t differs (rollback incomplete: disk d-1 not deleted)");
    assertThat(step(status, Step.VERIFY).state()).isEqualTo(StepState.FAILED);
    assertThat(step(status, Step.VERIFY).error()).isEqualTo("row count of public.t differs");
    assertThat(status.attempts())
        .singleElement()
        .extracting(AttemptStatus::retryable)
        .isEqualTo(false);
    Envelope<Event> failed =
        tap.await(envelope -> envelope.payload() instanceof MigrationFailed, WAIT);
    assertThat(((MigrationFailed) failed.payload()).error()).isEqualTo(status.error());
    await().during(Duration.ofSeconds(1)).atMost(WAIT).until(() -> agent.unreadCommands() == 0);
  }

  @Test
  void exhaustedAttemptsFailTheMigration() throws Exception {
    fixture.start(
        fixture.config(Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofMillis(200)));
    FakeAgent agent = fixture.agent("vm-tired");
    fixture.publishRequest(CoordinatorFixture.request("req-tired", "vm-tired", "pw", 2));

    for (int attempt = 1; attempt <= 2; attempt++) {
      Envelope<StartMigration> command = agent.awaitCommand(WAIT);
      assertThat(command.attempt()).isEqualTo(attempt);
      agent.emit(
          command.migrationId(),
          attempt,
          1,
          new AttemptFailed(Step.PREFLIGHT, "target unreachable", true, List.of()));
    }
    MigrationId id = MigrationId.forRequest("req-tired");
    await().atMost(WAIT).until(() -> fixture.state(id) == MigrationState.FAILED);

    MigrationStatus status = fixture.status(id);
    assertThat(status.error()).isEqualTo("target unreachable (gave up after 2 attempts)");
    assertThat(status.attempts())
        .extracting(AttemptStatus::state)
        .containsExactly(AttemptState.FAILED, AttemptState.FAILED);
    await().during(Duration.ofSeconds(1)).atMost(WAIT).until(() -> agent.unreadCommands() == 0);
  }

  @Test
  void anAgentThatStopsHeartbeatingFailsItsAttemptWhichIsRetried() throws Exception {
    Duration timeout = Duration.ofMillis(1500);
    fixture.start(fixture.config(timeout, Duration.ofMillis(100), Duration.ofMillis(200)));
    EventTap tap = fixture.tap();
    FakeAgent agent = fixture.agent("vm-silent");
    fixture.publishRequest(CoordinatorFixture.request("req-silent", "vm-silent", "pw"));
    MigrationId id = agent.awaitCommand(WAIT).migrationId();

    // Heartbeats keep an attempt alive well past the timeout: one every 250 ms, six to a timeout,
    // so that a fold slowed by a busy machine (CI) cannot leave a gap of a whole timeout.
    for (int seq = 1; seq <= 12; seq++) {
      agent.emit(id, 1, seq, new AgentHeartbeat(Step.DUMP));
      Thread.sleep(250);
    }
    assertThat(agent.unreadCommands()).isZero();
    assertThat(fixture.status(id).attempts())
        .singleElement()
        .extracting(AttemptStatus::state)
        .isEqualTo(AttemptState.RUNNING);

    Envelope<StartMigration> retry = agent.awaitCommand(WAIT);
    assertThat(retry.attempt()).isEqualTo(2);
    agent.emit(id, 2, 1, new AgentHeartbeat(null));
    AttemptStatus first = fixture.status(id).attempts().get(0);
    assertThat(first.state()).isEqualTo(AttemptState.FAILED);
    assertThat(first.error())
        .matches("agent for instance vm-silent stopped heartbeating for \\d+ s: .*");
    assertThat(first.retryable()).isTrue();
    Envelope<Event> timedOut =
        tap.await(envelope -> envelope.payload() instanceof AttemptFailed, WAIT);
    assertThat(timedOut.attempt()).isEqualTo(1);
    assertThat(timedOut.seq()).isEqualTo(CoordinatorEvents.ATTEMPT_FAILED_SEQ);

    // The agent of attempt 1 wakes up: its events are stale now.
    long ignored = fixture.counter(CoordinatorMetrics.EVENTS_IGNORED);
    agent.emit(id, 1, 13, new StepSucceeded(Step.DUMP, 1000, "late"));
    await().atMost(WAIT).until(() -> fixture.counter(CoordinatorMetrics.EVENTS_IGNORED) > ignored);
    MigrationStatus status = fixture.status(id);
    assertThat(status.attempt()).isEqualTo(2);
    assertThat(status.attempts().get(0)).isEqualTo(first);
    assertThat(step(status, Step.DUMP).state()).isEqualTo(StepState.PENDING);
  }

  @Test
  void anEventNotPublishedByItsInstancesAgentIsDropped() throws Exception {
    fixture.start();
    FakeAgent agent = fixture.agent("vm-userid");
    fixture.publishRequest(CoordinatorFixture.request("req-userid", "vm-userid", "pw"));
    MigrationId id = agent.awaitCommand(WAIT).migrationId();

    agent.emitWithoutUserId(
        new Envelope<>(
            java.util.UUID.randomUUID(),
            "vm-userid",
            id,
            1,
            1,
            Instant.now(),
            new MigrationSucceeded(List.of("app"), "forged")));
    awaitIgnored(1);
    agent.emit(id, 1, 2, new StepStarted(Step.PREFLIGHT));
    awaitFolded(1);

    MigrationStatus status = fixture.status(id);
    assertThat(status.state()).isEqualTo(MigrationState.RUNNING);
    assertThat(status.verification()).isNull();
    assertThat(
            fixture.storeValue(
                "SELECT count(*) FROM pgshuttle.events WHERE migration_id = '" + id + "'"))
        .isEqualTo("1");
  }

  /**
   * The events of many agents, interleaved in the queue and taken in batches as large as they come,
   * fold in each migration's order: every migration ends SUCCEEDED with each of its steps, and none
   * of its events comes after its end and is judged stale. (Folding on two threads, with the
   * deliveries dealt out one by one, made 45 of these events stale.)
   */
  @Test
  void eventsOfManyAgentsInterleavedFoldInEachMigrationsOrder() throws Exception {
    fixture.start();
    int agents = 13;
    List<FakeAgent> fakes = new ArrayList<>();
    List<MigrationId> ids = new ArrayList<>();
    for (int i = 0; i < agents; i++) {
      FakeAgent agent = fixture.agent("vm-interleaved-" + i);
      fixture.publishRequest(
          CoordinatorFixture.request("req-interleaved-" + i, agent.instanceId(), "pw"));
      fakes.add(agent);
      ids.add(agent.awaitCommand(WAIT).migrationId());
    }
    List<Event> attempt = new ArrayList<>();
    for (Step step : Step.values()) {
      attempt.add(new StepStarted(step));
      attempt.add(new StepSucceeded(step, 10, "ok"));
    }
    attempt.add(new MigrationSucceeded(List.of("app"), "verified"));

    // Queued while the coordinator is down, the events come in batches as large as they can be.
    fixture.stop();
    for (int seq = 1; seq <= attempt.size(); seq++) {
      for (int i = 0; i < agents; i++) {
        fakes.get(i).emit(ids.get(i), 1, seq, attempt.get(seq - 1));
      }
    }
    fixture.start();

    long events = (long) agents * attempt.size();
    await()
        .atMost(WAIT)
        .until(
            () ->
                fixture.counter(CoordinatorMetrics.EVENTS_FOLDED)
                        + fixture.counter(CoordinatorMetrics.EVENTS_IGNORED)
                    >= events);
    assertThat(fixture.counter(CoordinatorMetrics.EVENTS_IGNORED)).isZero();
    assertThat(fixture.counter(CoordinatorMetrics.EVENTS_FOLDED)).isEqualTo(events);
    for (MigrationId id : ids) {
      MigrationStatus status = fixture.status(id);
      assertThat(status.state()).isEqualTo(MigrationState.SUCCEEDED);
      assertThat(status.steps())
          .extracting(StepStatus::name, StepStatus::state)
          .containsExactlyInAnyOrder(
              Arrays.stream(Step.values())
                  .map(step -> tuple(step, StepState.SUCCEEDED))
                  .toArray(Tuple[]::new));
    }
  }

  private void awaitFolded(long count) {
    await().atMost(WAIT).until(() -> fixture.counter(CoordinatorMetrics.EVENTS_FOLDED) >= count);
  }

  private void awaitIgnored(long count) {
    await().atMost(WAIT).until(() -> fixture.counter(CoordinatorMetrics.EVENTS_IGNORED) >= count);
  }

  private static StepStatus step(MigrationStatus status, Step name) {
    return status.steps().stream().filter(step -> step.name() == name).findFirst().orElseThrow();
  }
}
