package io.pgshuttle.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgshuttle.coordinator.status.AttemptState;
import io.pgshuttle.coordinator.status.MigrationState;
import io.pgshuttle.coordinator.status.MigrationStatus;
import io.pgshuttle.coordinator.status.StepState;
import io.pgshuttle.messages.AttemptFailed;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.MigrationRequest;
import io.pgshuttle.messages.StartMigration;
import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.StepStarted;
import io.pgshuttle.messages.StepSucceeded;
import io.pgshuttle.testkit.PostgresCluster;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RestartIT {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void whatArrivesWhileTheCoordinatorIsDownIsHandledWhenItIsBack() throws Exception {
    try (PostgresCluster cluster = PostgresCluster.startTrusting();
        CoordinatorFixture fixture = new CoordinatorFixture(cluster)) {
      fixture.start();
      FakeAgent busy = fixture.agent("vm-r1");
      FakeAgent idle = fixture.agent("vm-r2");
      MigrationRequest running = CoordinatorFixture.request("req-r1", "vm-r1", "pw-1");
      fixture.publishRequest(running);
      Envelope<StartMigration> first = busy.awaitCommand(WAIT);
      MigrationId id = first.migrationId();
      busy.emit(id, 1, 1, new StepStarted(Step.PREFLIGHT));
      await()
          .atMost(WAIT)
          .until(() -> stepState(fixture.status(id), Step.PREFLIGHT) == StepState.RUNNING);

      fixture.stop();
      busy.emit(id, 1, 2, new StepSucceeded(Step.PREFLIGHT, 10, "ok"));
      busy.emit(id, 1, 3, new StepStarted(Step.PROVISION_DISK));
      busy.emit(id, 1, 4, new AttemptFailed(Step.PROVISION_DISK, "disk quota", true, List.of()));
      MigrationRequest queued = CoordinatorFixture.request("req-r2", "vm-r2", "pw-2");
      fixture.publishRequest(queued);
      fixture.start();

      Envelope<StartMigration> retry = busy.awaitCommand(WAIT);
      assertThat(retry.attempt()).isEqualTo(2);
      assertThat(retry.payload().fencingToken()).isGreaterThan(first.payload().fencingToken());
      Envelope<StartMigration> other = idle.awaitCommand(WAIT);
      assertThat(other.migrationId()).isEqualTo(queued.migrationId());
      assertThat(idle.password(other).reveal()).isEqualTo("pw-2");
      MigrationStatus status = fixture.status(id);
      assertThat(status.state()).isEqualTo(MigrationState.RUNNING);
      assertThat(status.attempt()).isEqualTo(2);
      assertThat(status.attempts().get(0).state()).isEqualTo(AttemptState.FAILED);
      assertThat(status.attempts().get(0).error()).isEqualTo("disk quota");
      assertThat(
              fixture.storeValue(
                  "SELECT string_agg(step || ':' || state, ',' ORDER BY step)"
                      + " FROM pgshuttle.steps WHERE migration_id = '"
                      + id
                      + "' AND attempt = 1"))
          .isEqualTo("PREFLIGHT:SUCCEEDED,PROVISION_DISK:RUNNING");
      assertThat(
              fixture.storeValue(
                  "SELECT count(*) FROM pgshuttle.events WHERE migration_id = '" + id + "'"))
          .isEqualTo("4");
      await()
          .during(Duration.ofSeconds(1))
          .atMost(WAIT)
          .until(() -> busy.unreadCommands() == 0 && idle.unreadCommands() == 0);
    }
  }

  private static StepState stepState(MigrationStatus status, Step name) {
    return status.steps().stream()
        .filter(step -> step.name() == name)
        .findFirst()
        .orElseThrow()
        .state();
  }
}
