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
import io.pgshuttle.messages.StepProgress;
import io.pgshuttle.messages.StepStarted;
import io.pgshuttle.messages.StepSucceeded;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * One batch of the fold, as the event consumer hands it over: events of several migrations
 * interleaved, with repeats inside the batch, folded in one transaction; the same batch again
 * changes nothing.
 */
class FoldBatchIT extends WithCoordinatorFixture {
  private static final Duration WAIT = Duration.ofSeconds(10);

  /** Enough migrations that the rows of a few of their steps fill a page. */
  private static final int PAGED_MIGRATIONS = 40;

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

  /**
   * An event after one that ended its migration in the same batch is judged by the ended state,
   * whatever events of other migrations came between.
   */
  @Test
  void anEventAfterItsMigrationEndedInTheSameBatchIsStale() throws Exception {
    fixture.start();
    MigrationId one = dispatched("vm-fold-batch-5");
    MigrationId two = dispatched("vm-fold-batch-6");
    Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    MigrationSucceeded succeeded = new MigrationSucceeded(List.of("app"), "verified");

    List<FoldResult> results =
        fixture
            .get(EventFolder.class)
            .foldAll(
                List.of(
                    event("vm-fold-batch-5", one, 1, t0, new StepStarted(Step.PREFLIGHT)),
                    event("vm-fold-batch-6", two, 1, t0, succeeded),
                    event("vm-fold-batch-5", one, 2, t0.plusSeconds(1), succeeded),
                    event("vm-fold-batch-6", two, 2, t0.plusSeconds(1), new StepStarted(Step.DUMP)),
                    event(
                        "vm-fold-batch-5", one, 3, t0.plusSeconds(2), new StepStarted(Step.DUMP))));

    assertThat(results)
        .containsExactly(
            FoldResult.APPLIED,
            FoldResult.APPLIED,
            FoldResult.APPLIED,
            FoldResult.STALE,
            FoldResult.STALE);
    for (MigrationId id : List.of(one, two)) {
      MigrationStatus status = fixture.status(id);
      assertThat(status.state()).isEqualTo(MigrationState.SUCCEEDED);
      assertThat(status.steps())
          .filteredOn(s -> s.name() == Step.DUMP)
          .singleElement()
          .extracting(StepStatus::state)
          .isEqualTo(StepState.PENDING);
    }
  }

  /**
   * A step reported several times by one kind of event in one batch (progress, the older report
   * last) ends as folding the same events one by one leaves it.
   */
  @Test
  void aStepReportedSeveralTimesInOneBatchEndsAsFoldingItsEventsOneByOne() throws Exception {
    fixture.start();
    MigrationId batched = dispatched("vm-fold-batch-3");
    MigrationId alone = dispatched("vm-fold-batch-4");
    Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    EventFolder folder = fixture.get(EventFolder.class);
    List<List<EventFolder.Received>> runs = new ArrayList<>();
    for (MigrationId id : List.of(batched, alone)) {
      String instance = id.equals(batched) ? "vm-fold-batch-3" : "vm-fold-batch-4";
      runs.add(
          List.of(
              event(instance, id, 1, t0, new StepStarted(Step.DUMP)),
              event(instance, id, 2, t0.plusSeconds(1), progress(Step.DUMP, 10.0, 100L)),
              event(instance, id, 4, t0.plusSeconds(3), progress(Step.DUMP, 50.0, 500L)),
              event(instance, id, 3, t0.plusSeconds(2), progress(Step.DUMP, 30.0, 300L)),
              event(instance, id, 5, t0.plusSeconds(4), new StepStarted(Step.RESTORE)),
              event(instance, id, 6, t0.plusSeconds(5), progress(Step.RESTORE, 60.0, 600L))));
    }

    assertThat(folder.foldAll(runs.get(0))).containsOnly(FoldResult.APPLIED);
    for (EventFolder.Received event : runs.get(1)) {
      assertThat(folder.fold(event.envelope(), event.json())).isEqualTo(FoldResult.APPLIED);
    }

    List<StepStatus> steps = fixture.status(batched).steps();
    assertThat(steps).isEqualTo(fixture.status(alone).steps());
    StepStatus dump = steps.stream().filter(s -> s.name() == Step.DUMP).findFirst().orElseThrow();
    assertThat(dump.state()).isEqualTo(StepState.RUNNING);
    assertThat(dump.startedAt()).isEqualTo(t0);
    assertThat(dump.progress().percent()).isEqualTo(50.0);
    assertThat(dump.progress().bytesDone()).isEqualTo(500L);
  }

  /**
   * A step's row ends on the page it was inserted on, as an agent's events write it: started, then
   * ended, the steps of many migrations one after the other. Staying on its page (no indexed column
   * changes) makes the update heap-only: no new entry in the primary key, and the old version
   * pruned without a vacuum. On pages filled to the brim it moved as soon as one was full.
   */
  @Test
  void aStepsRowIsUpdatedOnThePageItWasInsertedOn() throws Exception {
    fixture.start();
    Map<String, MigrationId> migrations = new LinkedHashMap<>();
    for (int i = 1; i <= PAGED_MIGRATIONS; i++) {
      migrations.put("vm-fold-pages-" + i, dispatched("vm-fold-pages-" + i));
    }
    Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    EventFolder folder = fixture.get(EventFolder.class);
    for (Step step : Step.values()) {
      long startedSeq = 2L * step.ordinal() + 1;
      long endedSeq = startedSeq + 1;
      List<EventFolder.Received> started = new ArrayList<>();
      List<EventFolder.Received> ended = new ArrayList<>();
      migrations.forEach(
          (instance, id) -> {
            started.add(
                event(instance, id, startedSeq, t0.plusSeconds(startedSeq), new StepStarted(step)));
            ended.add(
                event(
                    instance,
                    id,
                    endedSeq,
                    t0.plusSeconds(endedSeq),
                    new StepSucceeded(step, 1000, "done")));
          });

      assertThat(folder.foldAll(started)).containsOnly(FoldResult.APPLIED);
      Map<String, String> inserted = stepPages(step);
      assertThat(folder.foldAll(ended)).containsOnly(FoldResult.APPLIED);

      assertThat(stepPages(step)).as("pages of %s's rows", step).isEqualTo(inserted);
    }
    assertThat(
            fixture.storeValue(
                "SELECT count(*) FROM pgshuttle.steps WHERE state = 'SUCCEEDED'"
                    + " AND summary = 'done'"))
        .isEqualTo(String.valueOf(PAGED_MIGRATIONS * Step.values().length));
  }

  /** The page of each migration's row of {@code step}, by migration. */
  private Map<String, String> stepPages(Step step) {
    Map<String, String> pages = new HashMap<>();
    for (List<String> row :
        fixture.cluster.query(
            fixture.storeDatabase,
            "SELECT migration_id, (ctid::text::point)[0] FROM pgshuttle.steps WHERE step = '"
                + step.name()
                + "'")) {
      pages.put(row.get(0), row.get(1));
    }
    assertThat(pages).hasSize(PAGED_MIGRATIONS);
    return pages;
  }

  private static StepProgress progress(Step step, double percent, long bytesDone) {
    return new StepProgress(step, percent, bytesDone, 1000L, null, null, null);
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
