package io.pgshuttle.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pgshuttle.client.Migration;
import io.pgshuttle.client.MigrationFilter;
import io.pgshuttle.client.MigrationState;
import io.pgshuttle.client.PermanentClientException;
import io.pgshuttle.client.PgShuttleClient;
import io.pgshuttle.client.StepState;
import io.pgshuttle.client.StepStatus;
import io.pgshuttle.client.Subscription;
import io.pgshuttle.client.SubscriptionSpec;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.MigrationCancelled;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.MigrationSucceeded;
import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.StepStarted;
import io.pgshuttle.testkit.PostgresCluster;
import io.pgshuttle.testkit.TestBroker;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 5: a control plane drives a real installation (coordinator and agent processes of the
 * distribution, real source and target clusters, the local RabbitMQ) through {@link
 * PgShuttleClient}. Its subscription disconnects in the middle of DUMP and subscribes again later
 * with the same queue; it still receives every event the coordinator stored.
 */
class ClientEndToEndIT {
  private static final String INSTANCE = "e2e-client-vm";
  private static final String DATABASE = "orders";
  private static final Duration MIGRATION_TIME = Duration.ofMinutes(5);

  private static E2eEnvironment environment;
  private static PostgresCluster source;
  private static PgShuttleClient client;
  private static String queue;

  @BeforeAll
  static void startInstallationAndSource() {
    source = PostgresCluster.startTrusting();
    source.execute("postgres", "CREATE DATABASE " + DATABASE);
    source.execute(
        DATABASE,
        "CREATE TABLE items AS SELECT g AS id, md5(g::text) AS name FROM generate_series(1, 20000) g");
    environment = new E2eEnvironment();
    // pg_dump pauses, so the subscriber and the cancel find DUMP running however fast the disk is.
    environment.startAgent(
        INSTANCE,
        source,
        Map.of(
            "PGSHUTTLE_PG_BINDIR",
            PausingTools.in(environment.work(), Map.of("pg_dump", 10)).toString()));
    client =
        PgShuttleClient.builder()
            .coordinatorUri(environment.http().baseUrl())
            .amqpUri(environment.brokerUri())
            .namespace(environment.topology().namespace())
            .build();
    queue = environment.topology().namespace() + ".control-plane.events";
  }

  @AfterAll
  static void stopEverything() {
    try {
      Closing.all(environment, source);
    } finally {
      if (queue != null) {
        TestBroker.delete(List.of(queue), List.of());
      }
    }
  }

  @Test
  void aResubscribingControlPlaneMissesNoEventAndSeesTheMigrationSucceededAndAnotherCancelled()
      throws Exception {
    List<Envelope<Event>> beforeClose = new CopyOnWriteArrayList<>();
    List<Envelope<Event>> afterResubscribe = new CopyOnWriteArrayList<>();
    List<String> errors = new CopyOnWriteArrayList<>();
    try (PostgresCluster target = PostgresCluster.startWithPassword("target-pw-client");
        PostgresCluster otherTarget = PostgresCluster.startWithPassword("target-pw-client-2")) {
      MigrationId id;
      try (Subscription first = client.subscribe(spec(beforeClose, errors))) {
        id = submit(target);
        awaitStepRunning(id, Step.DUMP);
      }
      // While no one consumes, the migration goes on to its end; its events wait in the queue.
      Migration succeeded = awaitEnded(id);
      assertThat(succeeded.state())
          .as("%s%n%s", succeeded, environment.logs())
          .isEqualTo(MigrationState.SUCCEEDED);

      try (Subscription again = client.subscribe(spec(afterResubscribe, errors))) {
        await()
            .atMost(Duration.ofMinutes(1))
            .until(() -> keys(id, beforeClose, afterResubscribe).equals(storedKeys(id)));
        assertThat(keys(id, beforeClose)).as("events before the close").isNotEmpty();
        assertThat(afterResubscribe)
            .as("events published while the subscription was closed")
            .anyMatch(e -> e.payload().equals(new StepStarted(Step.RESTORE)))
            .anyMatch(e -> e.migrationId().equals(id) && e.payload() instanceof MigrationSucceeded);

        assertThat(succeeded.steps())
            .extracting(StepStatus::state)
            .containsOnly(StepState.SUCCEEDED)
            .hasSize(Step.values().length);
        assertThat(succeeded.attempts()).hasSize(1);
        assertThat(succeeded.verification()).isNotBlank();
        assertThat(client.get(id)).hasValue(succeeded);
        MigrationFilter succeededHere =
            MigrationFilter.all().withInstance(INSTANCE).withState(MigrationState.SUCCEEDED);
        assertThat(client.list(succeededHere).items())
            .extracting(Migration::migrationId)
            .containsExactly(id);
        assertThat(client.listAll(succeededHere.withLimit(1)).map(Migration::migrationId))
            .containsExactly(id);
        assertThat(target.userDatabases()).containsExactly(DATABASE);

        MigrationId other = submit(otherTarget);
        awaitStepRunning(other, Step.DUMP);
        Migration cancelling = client.cancel(other, "control plane changed plans");
        assertThat(cancelling.cancelReason()).isEqualTo("control plane changed plans");
        assertThat(cancelling.cancelRequestedAt()).isNotNull();
        Migration cancelled = awaitEnded(other);
        assertThat(cancelled.state())
            .as("%s%n%s", cancelled, environment.logs())
            .isEqualTo(MigrationState.CANCELLED);
        assertThat(cancelled.error())
            .startsWith("cancelled on request: control plane changed plans");
        assertThat(otherTarget.userDatabases()).isEmpty();
        await()
            .atMost(Duration.ofMinutes(1))
            .until(() -> keys(other, afterResubscribe).equals(storedKeys(other)));
        assertThat(afterResubscribe)
            .anyMatch(
                e -> e.migrationId().equals(other) && e.payload() instanceof MigrationCancelled);
      }
      assertThat(errors).isEmpty();

      // What the coordinator refuses comes back as a non-retryable error with its answer.
      assertThatThrownBy(() -> client.cancel(id, "too late"))
          .isInstanceOfSatisfying(
              PermanentClientException.class,
              e -> {
                assertThat(e.httpStatus()).hasValue(409);
                assertThat(e.errorBody().orElseThrow()).contains("\"state\":\"SUCCEEDED\"");
              });
      assertThat(client.get(MigrationId.forRequest("never submitted"))).isEmpty();
    }
  }

  private static SubscriptionSpec spec(List<Envelope<Event>> received, List<String> errors) {
    return SubscriptionSpec.of(
        queue,
        INSTANCE + ".#",
        received::add,
        (key, body, cause) -> errors.add(key + ": " + cause));
  }

  private static MigrationId submit(PostgresCluster target) {
    return MigrationId.parse(
        environment.submit(
            INSTANCE,
            target,
            List.of(
                "--database",
                DATABASE,
                "--jobs",
                "1",
                "--request-id",
                UUID.randomUUID().toString())));
  }

  private static void awaitStepRunning(MigrationId id, Step step) {
    await()
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                client
                    .get(id)
                    .map(
                        migration ->
                            migration.steps().stream()
                                .anyMatch(s -> s.name() == step && s.state() == StepState.RUNNING))
                    .orElse(false));
  }

  private static Migration awaitEnded(MigrationId id) {
    Migration[] last = new Migration[1];
    await()
        .atMost(MIGRATION_TIME)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              last[0] = client.get(id).orElse(null);
              return last[0] != null && !last[0].state().isLive();
            });
    return last[0];
  }

  /** (attempt, seq) of every event of {@code id} received, over all the lists. */
  @SafeVarargs
  private static Set<String> keys(MigrationId id, List<Envelope<Event>>... received) {
    return Arrays.stream(received)
        .flatMap(List::stream)
        .filter(e -> e.migrationId().equals(id))
        .map(e -> e.attempt() + "/" + e.seq())
        .collect(Collectors.toSet());
  }

  /** (attempt, seq) of every event of {@code id} the coordinator stored. */
  private static Set<String> storedKeys(MigrationId id) {
    return environment
        .store()
        .query(
            "postgres",
            "SELECT attempt || '/' || seq FROM pgshuttle.events WHERE migration_id = '" + id + "'")
        .stream()
        .map(row -> row.get(0))
        .collect(Collectors.toSet());
  }
}
