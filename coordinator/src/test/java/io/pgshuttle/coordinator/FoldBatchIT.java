package io.pgshuttle.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgshuttle.coordinator.events.EventFolder;
import io.pgshuttle.coordinator.events.FoldResult;
import io.pgshuttle.coordinator.status.MigrationState;
import io.pgshuttle.coordinator.status.MigrationStatus;
import io.pgshuttle.coordinator.status.StepState;
import io.pgshuttle.coordinator.status.StepStatus;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.MigrationRequest;
import io.pgshuttle.messages.MigrationSucceeded;
import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.StepStarted;
import io.pgshuttle.messages.StepSucceeded;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * One batch of the fold, as the event consumer hands it over: events of several migrations
 * interleaved, with repeats inside the batch, folded in one transaction; the same batch again
 * changes nothing.
 */
class FoldBatchIT extends WithCoordinatorFixture {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void aBatchWithRepeatsFoldsEachEventOnceAndFoldingItAgainChangesNothing() throws Exception {
    fixture.start();
    MigrationId one = dispatched("vm-fold-batch-1");
    MigrationId two = dispatched("vm-fold-batch-2");
    Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    EventFolder.Received started =
        event("vm-fold-batch-1", one, 1, t0, new StepStarted(Step.PREFLIGHT));
    List<EventFolder.Received> batch =
        List.of(
            started,
            event("vm-fold-batch-2", two, 1, t0, new StepStarted(Step.PREFLIGHT)),
            event(
                "vm-fold-batch-1",
                one,
                2,
                t0.plusSeconds(1),
                new StepSucceeded(Step.PREFLIGHT, 1000, "ok")),
            started,
            event(
                "vm-fold-batch-2",
                two,
                2,
                t0.plusSeconds(2),
                new MigrationSucceeded(List.of("app"), "verified")),
            // Another event under a seq already taken: a repeat, whatever it says.
            event("vm-fold-batch-1", one, 2, t0.plusSeconds(3), new StepStarted(Step.DUMP)));
    EventFolder folder = fixture.get(EventFolder.class);

    List<FoldResult> first = folder.foldAll(batch);

    assertThat(first)
        .containsExactly(
            FoldResult.APPLIED,
            FoldResult.APPLIED,
            FoldResult.APPLIED,
            FoldResult.DUPLICATE,
            FoldResult.APPLIED,
            FoldResult.DUPLICATE);
    MigrationStatus oneAfter = fixture.status(one);
    MigrationStatus twoAfter = fixture.status(two);
    StepStatus preflight =
        oneAfter.steps().stream().filter(s -> s.name() == Step.PREFLIGHT).findFirst().orElseThrow();
    assertThat(preflight.state()).isEqualTo(StepState.SUCCEEDED);
    assertThat(preflight.summary()).isEqualTo("ok");
    assertThat(oneAfter.steps())
        .filteredOn(s -> s.name() == Step.DUMP)
        .singleElement()
        .extracting(StepStatus::state)
        .isEqualTo(StepState.PENDING);
    assertThat(oneAfter.state()).isEqualTo(MigrationState.RUNNING);
    assertThat(twoAfter.state()).isEqualTo(MigrationState.SUCCEEDED);
    String stored =
        "SELECT string_agg(m.instance_id || ':' || e.seq || ':' || e.type, ','"
            + " ORDER BY m.instance_id, e.seq) FROM pgshuttle.events e"
            + " JOIN pgshuttle.migrations m USING (migration_id)"
            + " WHERE m.instance_id LIKE 'vm-fold-batch-%' AND e.attempt = 1";
    String storedAfterFirst = fixture.storeValue(stored);
    assertThat(storedAfterFirst)
        .isEqualTo(
            "vm-fold-batch-1:1:StepStarted,vm-fold-batch-1:2:StepSucceeded,"
                + "vm-fold-batch-2:1:StepStarted,vm-fold-batch-2:2:MigrationSucceeded");

    List<FoldResult> again = folder.foldAll(batch);

    assertThat(again).containsOnly(FoldResult.DUPLICATE);
    assertThat(fixture.status(one)).isEqualTo(oneAfter);
    assertThat(fixture.status(two)).isEqualTo(twoAfter);
    assertThat(fixture.storeValue(stored)).isEqualTo(storedAfterFirst);
  }

  /** A migration of {@code instanceId} whose first attempt's command reached its agent. */
  private MigrationId dispatched(String instanceId) throws Exception {
    FakeAgent agent = fixture.agent(instanceId);
    MigrationRequest request = CoordinatorFixture.request("req-" + instanceId, instanceId, "pw");
    fixture.publishRequest(request);
    return agent.awaitCommand(WAIT).migrationId();
  }

  private EventFolder.Received event(
      String instanceId, MigrationId id, long seq, Instant at, Event payload) {
    Envelope<Event> envelope =
        new Envelope<>(UUID.randomUUID(), instanceId, id, 1, seq, at, payload);
    return new EventFolder.Received(
        envelope, new String(fixture.codec.encode(envelope), StandardCharsets.UTF_8));
  }
}
