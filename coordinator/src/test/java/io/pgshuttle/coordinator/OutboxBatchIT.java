package io.pgshuttle.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgshuttle.coordinator.dispatch.AttemptScheduler;
import io.pgshuttle.coordinator.intake.IntakeOutcome;
import io.pgshuttle.coordinator.intake.MigrationIntake;
import io.pgshuttle.coordinator.status.MigrationState;
import io.pgshuttle.coordinator.store.Database;
import io.pgshuttle.coordinator.store.Migrations;
import io.pgshuttle.coordinator.store.Outbox;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.MigrationRequest;
import io.pgshuttle.messages.StartMigration;
import io.pgshuttle.testkit.PostgresCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The outbox publishes what is ready as one batch, with one wait for the broker's confirms and one
 * commit: what becomes of a batch where one command has no queue, or where the broker refuses one.
 */
class OutboxBatchIT extends WithCoordinatorFixture {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String START_ENTRIES =
      "FROM pgshuttle.outbox WHERE kind = 'START_MIGRATION'";

  @Test
  void anUnroutableCommandInABatchFailsItsMigrationAloneAndTheOthersGoOut() throws Exception {
    FakeAgent first = fixture.agent("vm-batch-1");
    FakeAgent second = fixture.agent("vm-batch-2");
    MigrationRequest one = CoordinatorFixture.request("req-batch-1", "vm-batch-1", "pw");
    MigrationRequest ghost = CoordinatorFixture.request("req-batch-ghost", "vm-batch-ghost", "pw");
    MigrationRequest two = CoordinatorFixture.request("req-batch-2", "vm-batch-2", "pw");
    stage(one, ghost, two);

    fixture.start();

    assertThat(first.awaitCommand(WAIT).migrationId()).isEqualTo(one.migrationId());
    assertThat(second.awaitCommand(WAIT).migrationId()).isEqualTo(two.migrationId());
    await().atMost(WAIT).until(() -> fixture.state(ghost.migrationId()) == MigrationState.FAILED);
    assertThat(fixture.status(ghost.migrationId()).error())
        .startsWith("no agent for instance vm-batch-ghost");
    assertThat(fixture.state(one.migrationId())).isEqualTo(MigrationState.RUNNING);
    assertThat(fixture.state(two.migrationId())).isEqualTo(MigrationState.RUNNING);
    // One transaction marked all three, each with its own outcome.
    assertThat(fixture.storeValue("SELECT string_agg(outcome, ',' ORDER BY id) " + START_ENTRIES))
        .isEqualTo("ROUTED,UNROUTABLE,ROUTED");
    assertThat(fixture.storeValue("SELECT count(DISTINCT published_at) " + START_ENTRIES))
        .isEqualTo("1");
    assertThat(
            fixture.storeValue(
                "SELECT string_agg(m.instance_id, ',' ORDER BY m.instance_id)"
                    + " FROM pgshuttle.attempts a JOIN pgshuttle.migrations m USING (migration_id)"
                    + " WHERE a.published_at IS NOT NULL"))
        .isEqualTo("vm-batch-1,vm-batch-2");
    assertThat(fixture.counter(CoordinatorMetrics.COMMANDS_PUBLISHED)).isEqualTo(2);
    assertThat(fixture.counter(CoordinatorMetrics.COMMANDS_UNROUTABLE)).isEqualTo(1);
  }

  @Test
  void aNackedConfirmMarksNoneOfTheBatchAndAllGoOutAgainOnceTheBrokerTakesThem() throws Exception {
    FakeAgent first = fixture.agent("vm-nack-1");
    FakeAgent second = fixture.agent("vm-nack-2");
    String refusing = fixture.declareRefusingQueue("vm-nack-2");
    MigrationRequest one = CoordinatorFixture.request("req-nack-1", "vm-nack-1", "pw");
    MigrationRequest two = CoordinatorFixture.request("req-nack-2", "vm-nack-2", "pw");
    stage(one, two);

    fixture.start();
    // The batch went out, the broker nacked the second command; the loop tries the batch again
    // after a pause, so the first command arrives twice, the same message each time.
    Envelope<StartMigration> sent = first.awaitCommand(WAIT);
    Envelope<StartMigration> again = first.awaitCommand(WAIT);

    assertThat(again.messageId()).isEqualTo(sent.messageId());
    assertThat(again.payload().fencingToken()).isEqualTo(sent.payload().fencingToken());
    assertThat(fixture.storeValue("SELECT count(*) " + START_ENTRIES + " AND published_at IS NULL"))
        .isEqualTo("2");
    assertThat(
            fixture.storeValue(
                "SELECT count(*) FROM pgshuttle.attempts WHERE published_at IS NOT NULL"))
        .isEqualTo("0");
    assertThat(fixture.counter(CoordinatorMetrics.COMMANDS_PUBLISHED)).isZero();

    fixture.deleteQueue(refusing);
    Envelope<StartMigration> taken = second.awaitCommand(WAIT);

    assertThat(taken.migrationId()).isEqualTo(two.migrationId());
    await()
        .atMost(WAIT)
        .until(
            () ->
                "ROUTED,ROUTED"
                    .equals(
                        fixture.storeValue(
                            "SELECT string_agg(outcome, ',' ORDER BY id) " + START_ENTRIES)));
    assertThat(
            fixture.storeValue(
                "SELECT count(*) FROM pgshuttle.attempts WHERE published_at IS NOT NULL"))
        .isEqualTo("2");
    // The broker delivered the nacked command too (to the queue that took it): every copy either
    // agent has is the same message, and once marked nothing goes out again.
    Thread.sleep(1500);
    assertThat(fixture.storeValue("SELECT count(DISTINCT published_at) " + START_ENTRIES))
        .isEqualTo("1");
    for (FakeAgent agent : new FakeAgent[] {first, second}) {
      while (agent.unreadCommands() > 0) {
        assertThat(agent.awaitCommand(WAIT).messageId())
            .isEqualTo(agent == first ? sent.messageId() : taken.messageId());
      }
    }
    assertThat(fixture.storeValue("SELECT count(*) FROM pgshuttle.attempts")).isEqualTo("2");
  }

  @Test
  void aMigrationsLaterEntryWaitsWhileItsEarlierOneIsInAnotherBatch() throws Exception {
    FakeAgent agent = fixture.agent("vm-order");
    MigrationRequest request = CoordinatorFixture.request("req-order", "vm-order", "pw");
    stage(request);
    // A CancelMigration queued after the StartMigration: it must never overtake it.
    fixture.wire(fixture.config());
    try (Database database = fixture.get(Database.class)) {
      database.open();
      database.inTransaction(
          connection -> {
            fixture
                .get(Migrations.class)
                .requestCancel(connection, request.migrationId(), "order test");
            fixture.get(Outbox.class).addCancel(connection, request.migrationId(), 1);
            return null;
          });
    }
    try (Connection holder =
        DriverManager.getConnection(
            fixture.cluster.jdbcUrl(fixture.storeDatabase), PostgresCluster.SUPERUSER, null)) {
      // Another publishing thread's batch in flight holds the StartMigration's entry.
      holder.setAutoCommit(false);
      try (Statement statement = holder.createStatement()) {
        statement.execute(
            "SELECT id " + START_ENTRIES + " FOR UPDATE"); // held until the rollback below
      }

      fixture.start();
      Thread.sleep(2000); // four rounds of the dispatch loop's poll

      assertThat(agent.unreadControls()).as("the cancel overtook the start").isZero();
      assertThat(
              fixture.storeValue(
                  "SELECT count(*) FROM pgshuttle.outbox WHERE published_at IS NULL"))
          .isEqualTo("2");
      holder.rollback();
    }

    assertThat(agent.awaitCommand(WAIT).migrationId()).isEqualTo(request.migrationId());
    assertThat(agent.awaitCancel(WAIT).payload().reason()).isEqualTo("order test");
    assertThat(
            fixture.storeValue(
                "SELECT string_agg(kind || ':' || outcome, ',' ORDER BY published_at, id)"
                    + " FROM pgshuttle.outbox"))
        .isEqualTo("START_MIGRATION:ROUTED,CANCEL_MIGRATION:ROUTED");
  }

  /**
   * Records the requests and starts their attempts with a coordinator that does not run, so the
   * next one to start finds all their commands in the outbox at once, in this order.
   */
  private void stage(MigrationRequest... requests) {
    fixture.wire(fixture.config());
    try (Database database = fixture.get(Database.class)) {
      database.open();
      for (MigrationRequest request : requests) {
        fixture.registerAgent(request.instanceId());
        assertThat(fixture.get(MigrationIntake.class).submit(request))
            .isInstanceOf(IntakeOutcome.Accepted.class);
      }
      assertThat(fixture.get(AttemptScheduler.class).startDueAttempts()).isEqualTo(requests.length);
    }
  }
}
