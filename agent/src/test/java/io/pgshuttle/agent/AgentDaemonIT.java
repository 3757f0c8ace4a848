package io.pgshuttle.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import com.google.inject.Guice;
import com.google.inject.Injector;
import io.pgshuttle.messages.AgentHeartbeat;
import io.pgshuttle.messages.AttemptFailed;
import io.pgshuttle.messages.CancelMigration;
import io.pgshuttle.messages.CommandRefused;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.HostileMessages;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.MigrationOptions;
import io.pgshuttle.messages.MigrationSucceeded;
import io.pgshuttle.messages.Secret;
import io.pgshuttle.messages.SslMode;
import io.pgshuttle.messages.StartMigration;
import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.StepStarted;
import io.pgshuttle.messages.TargetServer;
import io.pgshuttle.messages.Topology;
import io.pgshuttle.messages.VerifyLevel;
import io.pgshuttle.security.KeyAlgorithm;
import io.pgshuttle.security.KeyId;
import io.pgshuttle.testkit.PostgresCluster;
import io.pgshuttle.testkit.TestBroker;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent daemon on the real broker: it takes commands from its queue, runs each attempt once
 * however often the command is delivered, refuses commands of a superseded dispatch, heartbeats
 * while busy and acks what it took.
 */
class AgentDaemonIT {
  static final String INSTANCE = "daemon-vm";
  static final String PASSWORD = "daemon-target-pw";
  static final int BURST = 500;

  @TempDir Path work;
  final Topology topology = new Topology(TestBroker.freshNamespace());
  final MessageCodec codec = new MessageCodec();
  PostgresCluster source;
  PostgresCluster target;
  AgentDaemon daemon;
  MetricRegistry metrics;
  AgentBroker broker;
  TestKeys keys;
  List<Envelope<Event>> events;

  @BeforeEach
  void start() throws Exception {
    source = PostgresCluster.startTrusting();
    source.execute("postgres", "CREATE DATABASE shop");
    source.execute(
        "shop",
        "CREATE TABLE items (id int PRIMARY KEY, name text)",
        "INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 5000) g");
    target = PostgresCluster.startWithPassword(PASSWORD);
    AgentConfig config = agentConfig("agent");
    Injector injector = Guice.createInjector(new AgentModule(config));
    metrics = injector.getInstance(MetricRegistry.class);
    daemon = injector.getInstance(AgentDaemon.class);
    daemon.start();
    keys = TestKeys.in(work.resolve("keys"));
    broker = new AgentBroker(topology, INSTANCE, keys);
    events = broker.events();
  }

  @AfterEach
  void stop() throws Exception {
    daemon.close();
    broker.close();
    target.close();
    source.close();
  }

  @Test
  void commandDeliveredTwiceRunsOnceWithHeartbeatsAndIsAcked() throws Exception {
    MigrationId migration = MigrationId.forRequest(UUID.randomUUID().toString());
    AgentBroker.Published command = publish(command(migration, 1, 1));
    // Delivered again as it was (a publisher's retry): a replay, refused; it must not run twice.
    broker.publishRaw(command);

    await()
        .atMost(Duration.ofMinutes(2))
        .until(() -> count(migration, 1, MigrationSucceeded.class) == 1);
    Thread.sleep(1500); // a second run, if there were one, would have started by now
    assertThat(count(migration, 1, MigrationSucceeded.class)).isEqualTo(1);
    assertThat(
            events.stream()
                .filter(e -> e.migrationId().equals(migration))
                .filter(
                    e ->
                        e.payload() instanceof StepStarted started
                            && started.step() == Step.PREFLIGHT)
                .count())
        .isEqualTo(1);
    assertThat(count(migration, 1, AgentHeartbeat.class)).isGreaterThan(0);
    assertThat(metrics.meter("pgshuttle.agent.attempts.succeeded").getCount()).isEqualTo(1);
    assertThat(metrics.timer("pgshuttle.agent.attempts.duration").getCount()).isEqualTo(1);
    assertThat(target.userDatabases()).containsExactly("shop");
    assertThat(broker.commandsWaiting()).isZero();
  }

  @Test
  void commandOfASupersededDispatchIsRefusedWithoutRunning() throws Exception {
    MigrationId migration = MigrationId.forRequest(UUID.randomUUID().toString());
    target.execute("postgres", "CREATE DATABASE shop"); // attempt 2 fails fast in PREFLIGHT
    publish(command(migration, 2, 7));
    await()
        .atMost(Duration.ofMinutes(1))
        .until(() -> count(migration, 2, AttemptFailed.class) == 1);

    publish(command(migration, 1, 6));
    Thread.sleep(2000);

    assertThat(events.stream().filter(e -> e.migrationId().equals(migration)))
        .allMatch(e -> e.attempt() == 2);
    assertThat(metrics.meter("pgshuttle.agent.attempts.failed").getCount()).isEqualTo(1);
    assertThat(broker.commandsWaiting()).isZero();
  }

  @Test
  void aCommandSealedForTheAgentsFormerKeyFailsItsAttemptNamingBothKeysAndRunsNothing()
      throws Exception {
    // Accepted before the agent's key was rotated: the coordinator sealed it for the old key.
    PublicKey former = KeyAlgorithm.X25519.generate().getPublic();
    MigrationId migration = MigrationId.forRequest(UUID.randomUUID().toString());
    broker.publishCommandSealedFor(command(migration, 1, 1), former);

    await()
        .atMost(Duration.ofMinutes(1))
        .until(() -> count(migration, 1, AttemptFailed.class) == 1);
    AttemptFailed failed =
        events.stream()
            .filter(e -> e.migrationId().equals(migration))
            .map(Envelope::payload)
            .flatMap(payload -> payload instanceof AttemptFailed f ? Stream.of(f) : Stream.empty())
            .findFirst()
            .orElseThrow();
    assertThat(failed.retryable()).isFalse();
    assertThat(failed.error())
        .contains("sealed for key " + KeyId.of(former))
        .contains("not this one (" + KeyId.of(keys.agentSealingPublic()) + ")")
        .doesNotContain(PASSWORD);
    assertThat(count(migration, 1, StepStarted.class)).isZero();
    assertThat(target.userDatabases()).isEmpty();
    assertThat(metrics.meter("pgshuttle.agent.attempts.failed").getCount()).isEqualTo(1);
    assertThat(broker.commandsWaiting()).isZero();
  }

  @Test
  void aLaterDispatchStopsTheRunningAttemptItSupersedes() throws Exception {
    // Enough rows that attempt 1 still dumps when attempt 2 arrives.
    source.execute(
        "shop",
        "CREATE TABLE ledger AS SELECT g AS id, md5(g::text) AS a, md5((g * 3)::text) AS b"
            + " FROM generate_series(1, 1000000) g");
    MigrationId migration = MigrationId.forRequest(UUID.randomUUID().toString());
    publish(command(migration, 1, 21));
    await()
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> startedSteps(migration, 1).contains(Step.DUMP));

    publish(command(migration, 2, 22));

    await()
        .atMost(Duration.ofMinutes(2))
        .until(() -> count(migration, 2, MigrationSucceeded.class) == 1);
    AttemptFailed first =
        (AttemptFailed)
            events.stream()
                .filter(e -> e.migrationId().equals(migration) && e.attempt() == 1)
                .filter(e -> e.payload() instanceof AttemptFailed)
                .findFirst()
                .orElseThrow()
                .payload();
    assertThat(first.error())
        .isEqualTo("attempt stopped: superseded by attempt 2 of the migration");
    assertThat(first.retryable()).isTrue();
    assertThat(count(migration, 1, MigrationSucceeded.class)).isZero();
    // Stopped in DUMP (and RESTORE, which runs alongside it): nothing after them started.
    assertThat(startedSteps(migration, 1)).doesNotContain(Step.VERIFY).contains(Step.DUMP);
    assertThat(target.userDatabases()).containsExactly("shop");
    assertThat(target.queryValue("shop", "SELECT count(*) FROM ledger")).isEqualTo("1000000");
  }

  private List<Step> startedSteps(MigrationId migration, int attempt) {
    return events.stream()
        .filter(e -> e.migrationId().equals(migration) && e.attempt() == attempt)
        .filter(e -> e.payload() instanceof StepStarted)
        .map(e -> ((StepStarted) e.payload()).step())
        .toList();
  }

  @Test
  void aBurstOfHostileCommandsAndControlMessagesLeavesTheAgentWorking() throws Exception {
    List<byte[]> hostile = HostileMessages.bodies().sampleStream().limit(BURST).toList();
    MigrationId invalid = MigrationId.forRequest(UUID.randomUUID().toString());
    StartMigration template = command(invalid, 1, 1).payload();
    for (byte[] body : hostile) {
      broker.publishRaw(new AgentBroker.Published(body, Map.of()));
      broker.publishControl(body);
    }
    // Signed, but invalid (a NUL in a database name) or for another instance: refused too.
    publish(
        Envelope.of(
            INSTANCE,
            invalid,
            1,
            0,
            new StartMigration(
                INSTANCE,
                List.of("sh\u0000op"),
                template.target(),
                template.options(),
                template.fencingToken())));
    broker.publishControl(
        Envelope.of(INSTANCE, invalid, 1, 0, new CancelMigration("other-vm", "not yours")));
    MigrationId migration = MigrationId.forRequest(UUID.randomUUID().toString());

    publish(command(migration, 1, 1));

    await()
        .atMost(Duration.ofMinutes(2))
        .until(() -> count(migration, 1, MigrationSucceeded.class) == 1);
    assertThat(target.userDatabases()).containsExactly("shop");
    // Of the refused migration the agent only reported the refusal of the misaddressed cancel.
    assertThat(events.stream().filter(e -> e.migrationId().equals(invalid)))
        .allSatisfy(e -> assertThat(e.payload()).isInstanceOf(CommandRefused.class));
    assertThat(events.stream().map(Envelope::instanceId)).containsOnly(INSTANCE);
    await().atMost(Duration.ofSeconds(30)).until(() -> broker.controlsWaiting() == 0);
    assertThat(broker.commandsWaiting()).isZero();
  }

  @Test
  void cancelThatArrivesBeforeItsCommandRefusesTheAttempt() throws Exception {
    assertCancelBeforeItsCommandRefusesTheAttempt();
  }

  /**
   * Someone deletes the agent's queues: the agent declares them again (this test's broker user may)
   * and consumes both. Automatic recovery does not cover this: the broker cancels the consumers,
   * and the connection stays up.
   */
  @Test
  void deletedQueuesAreDeclaredAgainAndConsumed() throws Exception {
    broker.deleteAgentQueues();

    await()
        .atMost(Duration.ofSeconds(30))
        .until(broker::agentQueueConsumers, List.of(1, 1)::equals);
    assertCancelBeforeItsCommandRefusesTheAttempt();
  }

  /** A cancel on the control queue, then its command: the attempt is refused without running. */
  private void assertCancelBeforeItsCommandRefusesTheAttempt() throws Exception {
    MigrationId migration = MigrationId.forRequest(UUID.randomUUID().toString());
    broker.publishControl(
        Envelope.of(INSTANCE, migration, 1, 0, new CancelMigration(INSTANCE, "wrong target")));
    Thread.sleep(500); // the control consumer records it before the command comes

    publish(command(migration, 1, 11));

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> count(migration, 1, AttemptFailed.class) == 1);
    AttemptFailed failed =
        (AttemptFailed)
            events.stream()
                .filter(e -> e.migrationId().equals(migration))
                .filter(e -> e.payload() instanceof AttemptFailed)
                .findFirst()
                .orElseThrow()
                .payload();
    assertThat(failed.retryable()).isFalse();
    assertThat(failed.error())
        .isEqualTo("migration cancelled before attempt 1 started: wrong target");
    assertThat(count(migration, 1, StepStarted.class)).isZero();
    assertThat(target.userDatabases()).isEmpty();
  }

  @Test
  void aSecondAgentOfTheInstanceStandsByAndTakesOverWhenTheFirstStops() throws Exception {
    Injector standbyInjector = Guice.createInjector(new AgentModule(agentConfig("standby")));
    MetricRegistry standbyMetrics = standbyInjector.getInstance(MetricRegistry.class);
    try (AgentDaemon standby = standbyInjector.getInstance(AgentDaemon.class)) {
      standby.start();
      MigrationId first = MigrationId.forRequest(UUID.randomUUID().toString());
      MigrationId second = MigrationId.forRequest(UUID.randomUUID().toString());

      publish(command(first, 1, 21));
      publish(command(second, 1, 22)); // the target has shop by then: PREFLIGHT fails

      await()
          .atMost(Duration.ofMinutes(2))
          .until(
              () ->
                  count(first, 1, MigrationSucceeded.class) == 1
                      && count(second, 1, AttemptFailed.class) == 1);
      assertThat(ranAttempts(metrics)).as("the active agent ran both").isEqualTo(2);
      assertThat(ranAttempts(standbyMetrics)).as("the standby ran nothing").isZero();

      daemon.close();
      MigrationId third = MigrationId.forRequest(UUID.randomUUID().toString());
      publish(command(third, 1, 23));

      await().atMost(Duration.ofSeconds(30)).until(() -> count(third, 1, AttemptFailed.class) == 1);
      assertThat(ranAttempts(standbyMetrics)).as("the standby took over").isEqualTo(1);
      assertThat(ranAttempts(metrics)).isEqualTo(2);
    }
  }

  private static long ranAttempts(MetricRegistry registry) {
    return registry.meter("pgshuttle.agent.attempts.succeeded").getCount()
        + registry.meter("pgshuttle.agent.attempts.failed").getCount();
  }

  /** An agent of the instance with its own state directory and disk root, named {@code name}. */
  private AgentConfig agentConfig(String name) throws java.io.IOException {
    return TestAgentConfig.of(INSTANCE, work)
        .broker(TestBroker.uri(), topology.namespace())
        .source(source.url())
        .disksAndState(work.resolve(name + "-disks"), work.resolve(name + "-state"))
        .intervals(Duration.ofMillis(300), Duration.ofMillis(200))
        .build();
  }

  private long count(MigrationId migration, int attempt, Class<? extends Event> type) {
    return events.stream()
        .filter(e -> e.migrationId().equals(migration) && e.attempt() == attempt)
        .filter(e -> type.isInstance(e.payload()))
        .count();
  }

  private AgentBroker.Published publish(Envelope<StartMigration> command) throws Exception {
    return broker.publishCommand(command);
  }

  private Envelope<StartMigration> command(MigrationId migration, int attempt, long token) {
    return Envelope.of(
        INSTANCE,
        migration,
        attempt,
        0,
        new StartMigration(
            INSTANCE,
            List.of("shop"),
            new TargetServer(
                target.host(),
                target.port(),
                PostgresCluster.SUPERUSER,
                Secret.of(PASSWORD),
                SslMode.DISABLE),
            new MigrationOptions(1, 3, false, VerifyLevel.FULL),
            token));
  }
}
