package io.pgshuttle.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pgshuttle.coordinator.dispatch.AttemptScheduler;
import io.pgshuttle.coordinator.dispatch.CoordinatorEvents;
import io.pgshuttle.coordinator.intake.IntakeOutcome;
import io.pgshuttle.coordinator.intake.MigrationIntake;
import io.pgshuttle.coordinator.status.AttemptState;
import io.pgshuttle.coordinator.status.MigrationState;
import io.pgshuttle.coordinator.status.MigrationStatus;
import io.pgshuttle.coordinator.store.Database;
import io.pgshuttle.coordinator.store.MigrationRow;
import io.pgshuttle.coordinator.store.Migrations;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.MigrationFailed;
import io.pgshuttle.messages.MigrationRequest;
import io.pgshuttle.messages.StartMigration;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DispatchIT extends WithCoordinatorFixture {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void anInstanceWithoutAgentFailsWithinSecondsAndSaysWhatToDo() throws Exception {
    fixture.start();
    EventTap tap = fixture.tap();
    MigrationRequest request = CoordinatorFixture.request("req-ghost", "vm-ghost", "pw");
    Instant submitted = Instant.now();

    fixture.publishRequest(request);
    await().atMost(WAIT).until(() -> fixture.state(request.migrationId()) == MigrationState.FAILED);

    assertThat(Duration.between(submitted, Instant.now())).isLessThan(WAIT);
    MigrationStatus status = fixture.status(request.migrationId());
    assertThat(status.error())
        .startsWith("no agent for instance vm-ghost")
        .contains("Start the pgshuttle agent on that VM, or check the instance id");
    assertThat(status.finishedAt()).isNotNull();
    assertThat(status.attempts())
        .singleElement()
        .satisfies(
            attempt -> {
              assertThat(attempt.state()).isEqualTo(AttemptState.FAILED);
              assertThat(attempt.error()).startsWith("no agent for instance vm-ghost");
            });
    Envelope<Event> failed =
        tap.await(envelope -> envelope.payload() instanceof MigrationFailed, WAIT);
    assertThat(failed.migrationId()).isEqualTo(request.migrationId());
    assertThat(failed.attempt()).isEqualTo(1);
    assertThat(failed.seq()).isEqualTo(CoordinatorEvents.MIGRATION_FAILED_SEQ);
    assertThat(((MigrationFailed) failed.payload()).error()).isEqualTo(status.error());
    assertThat(fixture.counter(CoordinatorMetrics.COMMANDS_UNROUTABLE)).isEqualTo(1);

    // The migration is over, so the instance takes a new request once its agent runs.
    FakeAgent agent = fixture.agent("vm-ghost");
    fixture.publishRequest(CoordinatorFixture.request("req-ghost-2", "vm-ghost", "pw"));
    assertThat(agent.awaitCommand(WAIT).attempt()).isEqualTo(1);
  }

  @Test
  void anAttemptCommittedButNotPublishedIsPublishedOnceAfterARestart() throws Exception {
    FakeAgent agent = fixture.agent("vm-crash");
    MigrationRequest request = CoordinatorFixture.request("req-crash", "vm-crash", "pw");
    // A coordinator that recorded the attempt and died before publishing its command.
    fixture.wire(fixture.config());
    try (Database database = fixture.get(Database.class)) {
      database.open();
      assertThat(fixture.get(MigrationIntake.class).submit(request))
          .isInstanceOf(IntakeOutcome.Accepted.class);
      assertThat(fixture.get(AttemptScheduler.class).startDueAttempts()).isEqualTo(1);
    }
    String token =
        fixture.storeValue(
            "SELECT fencing_token FROM pgshuttle.attempts WHERE migration_id = '"
                + request.migrationId()
                + "' AND attempt = 1");

    fixture.start();
    Envelope<StartMigration> command = agent.awaitCommand(WAIT);

    assertThat(command.attempt()).isEqualTo(1);
    assertThat(command.payload().fencingToken()).isEqualTo(Long.parseLong(token));
    await()
        .atMost(WAIT)
        .until(
            () ->
                fixture
                    .storeValue(
                        "SELECT count(*) FROM pgshuttle.outbox WHERE published_at IS NOT NULL")
                    .equals("1"));
    fixture.stop();
    fixture.start();
    await().during(Duration.ofSeconds(1)).atMost(WAIT).until(() -> agent.unreadCommands() == 0);
    assertThat(fixture.storeValue("SELECT count(*) FROM pgshuttle.attempts")).isEqualTo("1");
    assertThat(fixture.status(request.migrationId()).attempt()).isEqualTo(1);
  }

  /**
   * Dispatch right after a burst of requests, on a store whose statistics expect few due rows (the
   * table analyzed while empty, no vacuum since): each look-up of due migrations reads the due
   * index in order and stops at its limit, past the entries of the migrations dispatched by the
   * look-up before it. Planned freely, every look-up took a bitmap of the whole index, the entries
   * of all the migrations already dispatched included: 10,000 entries read to return 200.
   */
  @Test
  void aLookUpOfDueMigrationsAfterABurstReadsLittleMoreOfTheDueIndexThanItReturns()
      throws Exception {
    int burst = 10_000;
    int lookUp = 200;
    fixture.wire(fixture.config());
    try (Database database = fixture.get(Database.class)) {
      database.open();
      // No autovacuum: not of migrations, whose statistics stay those of an empty table, nor an
      // ANALYZE of the tables dispatch writes, whose snapshot would keep the dispatched rows' old
      // versions from being marked dead for a moment.
      fixture.cluster.execute(
          fixture.storeDatabase,
          "ALTER TABLE pgshuttle.migrations SET (autovacuum_enabled = false)",
          "ALTER TABLE pgshuttle.attempts SET (autovacuum_enabled = false)",
          "ALTER TABLE pgshuttle.outbox SET (autovacuum_enabled = false)",
          "ANALYZE pgshuttle.migrations",
          "INSERT INTO pgshuttle.migrations (migration_id, request_id, instance_id, state,"
              + " max_attempts, request, next_attempt_at) SELECT gen_random_uuid(),"
              + " 'req-burst-' || g, 'vm-burst-' || g, 'PENDING', 3, '{}',"
              + " now() - ("
              + burst
              + " - g) * interval '1 ms' FROM generate_series(1, "
              + burst
              + ") g");
      AttemptScheduler scheduler = fixture.get(AttemptScheduler.class);
      int dispatched = 0;
      while (dispatched < burst * 4 / 5) {
        int started = scheduler.startDueAttempts();
        assertThat(started).as("attempts started after %d", dispatched).isPositive();
        dispatched += started;
      }

      // A connection of its own: a backend's counters of reads hold its earlier transactions'
      // until they are reported, and the pool's have done the dispatching.
      List<String> requests;
      long indexEntriesRead;
      try (Connection connection = fixture.cluster.connect(fixture.storeDatabase)) {
        connection.setSchema(Database.SCHEMA);
        connection.setAutoCommit(false);
        requests =
            fixture.get(Migrations.class).lockDue(connection, lookUp).stream()
                .map(MigrationRow::requestId)
                .toList();
        try (Statement statement = connection.createStatement();
            ResultSet read =
                statement.executeQuery(
                    "SELECT pg_stat_get_xact_tuples_returned("
                        + "'pgshuttle.migrations_due'::regclass)")) {
          read.next();
          indexEntriesRead = read.getLong(1);
        }
        connection.rollback();
      }

      // The longest due first: the first of the burst not yet dispatched, in order.
      assertThat(requests)
          .containsExactlyElementsOf(
              IntStream.rangeClosed(dispatched + 1, dispatched + lookUp)
                  .mapToObj(g -> "req-burst-" + g)
                  .toList());
      // The entries of the batch the last dispatch took, not yet marked dead, then its own.
      assertThat(indexEntriesRead).isLessThanOrEqualTo(2L * lookUp);
    }
  }

  @Test
  void aCommandTheBrokerRefusesStaysInTheOutboxAndGoesOutOnceTheBrokerTakesIt() throws Exception {
    fixture.start();
    fixture.deleteExchange(fixture.topology.commandsExchange());
    MigrationRequest request = CoordinatorFixture.request("req-later", "vm-later", "pw");

    fixture.publishRequest(request);
    await().atMost(WAIT).until(() -> fixture.attempt(request.migrationId()) == 1);
    Thread.sleep(1500);
    assertThat(fixture.status(request.migrationId()).state()).isEqualTo(MigrationState.RUNNING);
    assertThat(
            fixture.storeValue("SELECT count(*) FROM pgshuttle.outbox WHERE published_at IS NULL"))
        .isEqualTo("1");
    // The agent starts and declares its queue and the exchange: the same attempt goes out.
    FakeAgent agent = fixture.agent("vm-later");
    Envelope<StartMigration> command = agent.awaitCommand(WAIT);

    assertThat(command.attempt()).isEqualTo(1);
    await().during(Duration.ofSeconds(1)).atMost(WAIT).until(() -> agent.unreadCommands() == 0);
    assertThat(fixture.storeValue("SELECT count(*) FROM pgshuttle.attempts")).isEqualTo("1");
  }

  @Test
  void startFailsClearlyWhenTheStoreIsUnreachable() throws Exception {
    CoordinatorConfig good = fixture.config();
    CoordinatorConfig unreachable =
        new CoordinatorConfig(
            good.amqpUri(),
            good.namespace(),
            "jdbc:postgresql://127.0.0.1:1/store",
            good.storeUser(),
            null,
            0,
            good.heartbeatTimeout(),
            good.retryInitialBackoff(),
            good.retryMaxBackoff(),
            good.sweepInterval(),
            good.apiTokens(),
            good.signingKey(),
            good.eventKeys(),
            good.agentKeys(),
            good.commandValidity(),
            null);

    CoordinatorDaemon daemon = fixture.wire(unreachable).getInstance(CoordinatorDaemon.class);

    assertThatThrownBy(daemon::start)
        .hasMessageContaining(
            "cannot reach the status store at jdbc:postgresql://127.0.0.1:1/store")
        .hasMessageContaining("check PGSHUTTLE_STORE_URL");
    daemon.close();
  }
}
