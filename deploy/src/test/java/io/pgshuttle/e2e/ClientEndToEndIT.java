package io.pgshuttle.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.pgshuttle.client.DeadLetter;
import io.pgshuttle.client.DeadLetterFilter;
import io.pgshuttle.client.EventSelector;
import io.pgshuttle.client.EventStream;
import io.pgshuttle.client.Migration;
import io.pgshuttle.client.MigrationFilter;
import io.pgshuttle.client.MigrationState;
import io.pgshuttle.client.Page;
import io.pgshuttle.client.PermanentClientException;
import io.pgshuttle.client.PgShuttleClient;
import io.pgshuttle.client.ReplayOutcome;
import io.pgshuttle.client.ReplayResult;
import io.pgshuttle.client.StepState;
import io.pgshuttle.client.StepStatus;
import io.pgshuttle.client.StreamedEvent;
import io.pgshuttle.client.Submission;
import io.pgshuttle.client.Subscription;
import io.pgshuttle.client.SubscriptionSpec;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.MigrationCancelled;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.MigrationOptions;
import io.pgshuttle.messages.MigrationRequest;
import io.pgshuttle.messages.MigrationSucceeded;
import io.pgshuttle.messages.Secret;
import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.StepStarted;
import io.pgshuttle.messages.TargetServer;
import io.pgshuttle.testkit.PostgresCluster;
import io.pgshuttle.testkit.TestBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * PgShuttleClient} alone. Its subscription disconnects in the middle of DUMP and subscribes again
 * later with the same queue; it still receives every event the coordinator stored, and so does an
 * SSE stream resumed from its last event.
 */
class ClientEndToEndIT {
  private static final String INSTANCE = "e2e-client-vm";
  private static final String DATABASE = "orders";
  private static final Duration MIGRATION_TIME = Duration.ofMinutes(5);
  private static final Duration WAIT = Duration.ofMinutes(1);

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
        "CREATE TABLE items AS SELECT g AS id, md5(g::text) AS name FROM generate_series(1, 20000)"
            + " g");
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
            .bearerToken(CoordinatorHttp.OPERATE_TOKEN)
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
      MigrationRequest request = request(target);
      MigrationId id;
      try (Subscription first = client.subscribe(spec(beforeClose, errors))) {
        Submission submitted = client.submit(request);
        assertThat(submitted.created()).isTrue();
        id = submitted.migration().migrationId();
        assertThat(id).isEqualTo(request.migrationId());
        awaitStepRunning(id, Step.DUMP);
      }
      // While no one consumes, the migration goes on to its end; its events wait in the queue.
      Migration succeeded = awaitEnded(id);
      assertThat(succeeded.state())
          .as("%s%n%s", succeeded, environment.logs())
          .isEqualTo(MigrationState.SUCCEEDED);

      try (Subscription again = client.subscribe(spec(afterResubscribe, errors))) {
        await()
            .atMost(WAIT)
            .until(() -> keys(id, beforeClose, afterResubscribe).equals(storedKeys(id)));
        assertThat(keys(id, beforeClose)).as("events before the close").isNotEmpty();
        assertThat(afterResubscribe)
            .as("events published while the subscription was closed")
            // RESTORE starts alongside DUMP, before the close; VERIFY comes after both.
            .anyMatch(e -> e.payload().equals(new StepStarted(Step.VERIFY)))
            .anyMatch(e -> e.migrationId().equals(id) && e.payload() instanceof MigrationSucceeded);

        assertThat(succeeded.steps())
            .extracting(StepStatus::state)
            .containsOnly(StepState.SUCCEEDED)
            .hasSize(Step.values().length);
        assertThat(succeeded.attempts()).hasSize(1);
        assertThat(succeeded.verification()).isNotBlank();
        assertThat(client.get(id)).hasValue(succeeded);
        assertThat(target.userDatabases()).containsExactly(DATABASE);

        // The same request again is the same migration; its requestId with other content is not.
        Submission repeated = client.submit(request);
        assertThat(repeated.created()).isFalse();
        assertThat(repeated.migration().migrationId()).isEqualTo(id);
        MigrationRequest changed =
            new MigrationRequest(
                request.requestId(),
                INSTANCE,
                List.of("postgres"),
                request.target(),
                request.options());
        assertThatThrownBy(() -> client.submit(changed))
            .isInstanceOfSatisfying(
                PermanentClientException.class, e -> assertThat(e.httpStatus()).hasValue(409));

        MigrationId other = client.submit(request(otherTarget)).migration().migrationId();
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
        await().atMost(WAIT).until(() -> keys(other, afterResubscribe).equals(storedKeys(other)));
        assertThat(afterResubscribe)
            .anyMatch(
                e -> e.migrationId().equals(other) && e.payload() instanceof MigrationCancelled);

        // Paging: newest first, one per page, the cursor leads to the older one.
        MigrationFilter onePerPage = MigrationFilter.all().withInstance(INSTANCE).withLimit(1);
        Page<Migration> newest = client.list(onePerPage);
        assertThat(newest.items()).extracting(Migration::migrationId).containsExactly(other);
        assertThat(newest.next()).isNotNull();
        assertThat(client.list(onePerPage, newest.next()).items())
            .extracting(Migration::migrationId)
            .containsExactly(id);
        assertThat(client.listAll(onePerPage).map(Migration::migrationId))
            .containsExactly(other, id);
        assertThat(
                client
                    .list(
                        MigrationFilter.all()
                            .withInstance(INSTANCE)
                            .withState(MigrationState.SUCCEEDED))
                    .items())
            .extracting(Migration::migrationId)
            .containsExactly(id);
      }
      assertThat(errors).isEmpty();

      streamedEventsResumeWithNothingMissedOrRepeated(id);

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

  @Test
  void aDeadLetterIsListedReadReplayedAndDropped() throws Exception {
    String requestId = "client-dead-letter-" + UUID.randomUUID();
    publishToRequestsQueue(
        "{\"type\":\"MigrationRequest\",\"version\":1,"
            + "\"messageId\":\""
            + UUID.randomUUID()
            + "\",\"instanceId\":\"bad.id\",\"migrationId\":\""
            + MigrationId.forRequest(requestId)
            + "\",\"attempt\":0,\"seq\":0,\"emittedAt\":\"2026-11-26T10:00:00Z\","
            + "\"body\":{\"requestId\":\""
            + requestId
            + "\",\"instanceId\":\"bad.id\",\"target\":{\"host\":\"db\",\"port\":5432,"
            + "\"user\":\"postgres\",\"password\":\"dead-letter-pw\"}}}");
    DeadLetterFilter invalid = DeadLetterFilter.all().withReason("invalid");

    DeadLetter deadLetter =
        await()
            .atMost(WAIT)
            .until(
                () ->
                    client
                        .allDeadLetters(invalid)
                        .filter(d -> requestId.equals(d.requestId()))
                        .findFirst(),
                Optional::isPresent)
            .orElseThrow();

    assertThat(deadLetter.detail()).contains("instanceId 'bad.id' is invalid");
    // The request as it came, an envelope, without its password.
    assertThat(deadLetter.request().path("body").path("requestId").asText()).isEqualTo(requestId);
    assertThat(deadLetter.toString()).doesNotContain("dead-letter-pw");
    assertThat(client.getDeadLetter(deadLetter.id())).hasValue(deadLetter);
    // Still invalid: replaying publishes nothing and says what to fix.
    ReplayResult replayed = client.replayDeadLetter(deadLetter.id());
    assertThat(replayed.id()).isEqualTo(deadLetter.id());
    assertThat(replayed.outcome()).isEqualTo(ReplayOutcome.INVALID);
    assertThat(replayed.message()).contains("instanceId 'bad.id' is invalid");
    assertThat(client.replayAllDeadLetters(invalid.withInstance("bad.id")))
        .extracting(ReplayResult::id, ReplayResult::outcome)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(deadLetter.id(), ReplayOutcome.INVALID));
    assertThat(client.getDeadLetter(deadLetter.id())).hasValue(deadLetter);
    assertThat(client.dropDeadLetter(deadLetter.id())).isTrue();
    assertThat(client.getDeadLetter(deadLetter.id())).isEmpty();
    assertThat(client.dropDeadLetter(deadLetter.id())).isFalse();
  }

  /**
   * Reads the migration's stored events over SSE in two streams, the second resumed after the last
   * event of the first: together they are every stored event, each once, in position order.
   */
  private static void streamedEventsResumeWithNothingMissedOrRepeated(MigrationId id)
      throws Exception {
    Set<String> stored = storedKeys(id);
    List<StreamedEvent> streamed = new ArrayList<>();
    long resumeAfter;
    try (EventStream stream = client.streamEvents(EventSelector.migration(id), null)) {
      for (int i = 0; i < 3; i++) {
        streamed.add(stream.next(WAIT).orElseThrow());
      }
      resumeAfter = stream.lastEventId().orElseThrow();
    }
    try (EventStream stream = client.streamEvents(EventSelector.migration(id), resumeAfter)) {
      while (streamed.size() < stored.size()) {
        streamed.add(stream.next(WAIT).orElseThrow());
      }
      assertThat(stream.next(Duration.ofSeconds(1))).as("nothing after the last event").isEmpty();
    }
    List<String> keys =
        streamed.stream().map(e -> e.envelope().attempt() + "/" + e.envelope().seq()).toList();
    assertThat(keys).doesNotHaveDuplicates();
    assertThat(Set.copyOf(keys)).isEqualTo(stored);
    assertThat(streamed).extracting(StreamedEvent::position).isSorted();
    assertThat(streamed).allMatch(e -> e.type().equals(e.envelope().type()));
    long newest = streamed.get(streamed.size() - 1).position();
    try (EventStream stream = client.streamNewEvents(EventSelector.migration(id))) {
      // The migration has ended: nothing of its past comes, and the stream says where it started.
      List<StreamedEvent> replayed = new ArrayList<>();
      await()
          .atMost(WAIT)
          .until(
              () -> {
                stream.next(Duration.ofMillis(100)).ifPresent(replayed::add);
                return stream.lastEventId().isPresent();
              });
      assertThat(replayed).isEmpty();
      assertThat(stream.lastEventId().getAsLong()).isGreaterThanOrEqualTo(newest);
    }
  }

  private static SubscriptionSpec spec(List<Envelope<Event>> received, List<String> errors) {
    return SubscriptionSpec.of(
        queue,
        INSTANCE + ".#",
        received::add,
        (key, body, cause) -> errors.add(key + ": " + cause));
  }

  private static MigrationRequest request(PostgresCluster target) {
    return new MigrationRequest(
        UUID.randomUUID().toString(),
        INSTANCE,
        List.of(DATABASE),
        new TargetServer(
            "127.0.0.1",
            target.port(),
            PostgresCluster.SUPERUSER,
            Secret.of(target.password()),
            null),
        new MigrationOptions(1, 3, false, null));
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
    return await()
        .atMost(MIGRATION_TIME)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> client.get(id).orElse(null), m -> m != null && !m.state().isLive());
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

  private static void publishToRequestsQueue(String body) throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(environment.brokerUri());
    try (Connection connection = factory.newConnection("pgshuttle-e2e-client-test");
        Channel channel = connection.createChannel()) {
      channel.basicPublish("", environment.topology().requestsQueue(), null, body.getBytes(UTF_8));
    }
  }
}
