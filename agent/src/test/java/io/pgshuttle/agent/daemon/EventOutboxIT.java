package io.pgshuttle.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.pgshuttle.agent.AgentConfig;
import io.pgshuttle.agent.AgentDaemon;
import io.pgshuttle.agent.AgentModule;
import io.pgshuttle.agent.TestAgentConfig;
import io.pgshuttle.amqp.AmqpConnector;
import io.pgshuttle.amqp.ConfirmingPublisher;
import io.pgshuttle.amqp.TopologyDeclarer;
import io.pgshuttle.messages.AgentHeartbeat;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.MigrationSucceeded;
import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.StepProgress;
import io.pgshuttle.messages.StepStarted;
import io.pgshuttle.messages.StepSucceeded;
import io.pgshuttle.messages.Topology;
import io.pgshuttle.security.EventMac;
import io.pgshuttle.security.EventMacKey;
import io.pgshuttle.security.KeyAlgorithm;
import io.pgshuttle.testkit.RabbitNode;
import io.pgshuttle.testkit.TestBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3, point 3, at the agent: its events survive a broker restart, forced connection closes and
 * a killed agent, in order, none lost. A RabbitMQ node of the test's own is stopped, started again
 * and has its connections closed; what arrives is read from a durable queue bound to the events
 * exchange, as the coordinator's queue is.
 */
class EventOutboxIT {
  static final String INSTANCE = "outbox-vm";
  static final Duration WAIT = Duration.ofSeconds(60);

  @AutoClose static final RabbitNode broker = RabbitNode.start(List.of());

  @TempDir Path work;
  final MessageCodec codec = new MessageCodec();
  final Topology topology = new Topology(TestBroker.freshNamespace());
  final MigrationId migration = MigrationId.forRequest(UUID.randomUUID().toString());
  final KeyPair agentKey = KeyAlgorithm.X25519.generate();
  final KeyPair coordinatorKey = KeyAlgorithm.X25519.generate();

  @Test
  void eventsEmittedWhileTheBrokerIsDownArriveInOrderOnceItIsBack() throws Exception {
    String tap = declareTap();
    MetricRegistry metrics = new MetricRegistry();
    EventOutbox outbox = new EventOutbox(config(), codec, metrics);
    OutboxRelay relay = new OutboxRelay(outbox, topology, codec);
    List<Event> expected = new ArrayList<>();
    try (Connection connection = connect("outbox-it");
        ConfirmingPublisher publisher = publisher(connection)) {
      relay.start(publisher, EventMacKey.forAgent(agentKey, coordinatorKey.getPublic(), INSTANCE));
      OutboxEventSink sink = sink(outbox, relay);
      emit(sink, expected, new StepStarted(Step.DUMP));
      await().atMost(WAIT).until(() -> outbox.depth() == 0);

      broker.stop();
      for (int i = 1; i <= 40; i++) {
        emit(sink, expected, progress(i));
      }
      sink.emit(new AgentHeartbeat(Step.DUMP));
      emit(sink, expected, new StepSucceeded(Step.DUMP, 1234, "dumped"));
      emit(sink, expected, new MigrationSucceeded(List.of("shop"), "all equal"));
      // Every emit returned with the broker down: the events wait on disk, the heartbeat is gone.
      assertThat(outbox.depth()).isEqualTo(expected.size() - 1);
      assertThat(metrics.getGauges().get(EventOutbox.DEPTH_GAUGE).getValue())
          .isEqualTo(expected.size() - 1);

      broker.startAgain();

      await().atMost(WAIT).until(() -> outbox.depth() == 0);
    } finally {
      relay.close();
    }
    assertArrivedInOrder(
        drain(tap, EventMacKey.forCoordinator(coordinatorKey, agentKey.getPublic(), INSTANCE)),
        expected);
  }

  @Test
  void eventsPublishedWhileEveryConnectionIsClosedByForceAllArriveInOrder() throws Exception {
    String tap = declareTap();
    EventOutbox outbox = new EventOutbox(work.resolve("outbox"), codec);
    OutboxRelay relay = new OutboxRelay(outbox, topology, codec);
    List<Event> expected = new ArrayList<>();
    try (Connection connection = connect("outbox-it");
        ConfirmingPublisher publisher = publisher(connection)) {
      relay.start(publisher, EventMacKey.forAgent(agentKey, coordinatorKey.getPublic(), INSTANCE));
      OutboxEventSink sink = sink(outbox, relay);
      for (int i = 1; i <= 300; i++) {
        emit(sink, expected, progress(i % 100));
        if (i % 100 == 0) {
          // While the relay is busy with the events before: some publishes are unconfirmed.
          broker.closeAllConnections("EventOutboxIT closes every connection");
        }
      }
      emit(sink, expected, new MigrationSucceeded(List.of("shop"), "all equal"));

      await().atMost(WAIT).until(() -> outbox.depth() == 0);
    } finally {
      relay.close();
    }
    assertArrivedInOrder(
        drain(tap, EventMacKey.forCoordinator(coordinatorKey, agentKey.getPublic(), INSTANCE)),
        expected);
  }

  /**
   * An agent killed after the broker confirmed an event but before the file was removed: the event
   * goes out again when the agent starts, with the same message id and seq (by which the
   * coordinator stores it once), and before the events behind it.
   */
  @Test
  void anAgentStartingAgainPublishesWhatItsPredecessorLeftAgainIfNeedBe() throws Exception {
    String tap = declareTap();
    AgentConfig config = config();
    EventOutbox left = new EventOutbox(config.stateDir().resolve("outbox"), codec);
    List<Event> expected = new ArrayList<>();
    OutboxEventSink predecessor = sink(left, new OutboxRelay(left, topology, codec));
    emit(predecessor, expected, new StepStarted(Step.RESTORE));
    emit(predecessor, expected, new StepSucceeded(Step.RESTORE, 99, "restored"));
    emit(predecessor, expected, new MigrationSucceeded(List.of("shop"), "all equal"));
    EventOutbox.Entry published = left.pending().get(0);
    try (Connection connection = connect("killed-relay");
        ConfirmingPublisher publisher = publisher(connection)) {
      // What the killed relay did before it died: published and confirmed, not removed.
      Envelope<Event> first = left.read(published);
      publisher.publish(
          topology.eventsExchange(),
          topology.eventRoutingKey(INSTANCE, migration, first.type()),
          first,
          false,
          Map.of());
    }
    Files.writeString(published.file().resolveSibling("torn.json.tmp"), "{\"half\":");

    Injector injector = Guice.createInjector(new AgentModule(config));
    AgentDaemon agent = injector.getInstance(AgentDaemon.class);
    EventOutbox outbox = injector.getInstance(EventOutbox.class);
    try (agent) {
      agent.start();
      await().atMost(WAIT).until(() -> outbox.depth() == 0);
    }

    List<Envelope<Event>> arrived = drain(tap);
    assertThat(arrived).hasSize(expected.size() + 1);
    assertThat(arrived.get(1)).as("the same event again").isEqualTo(arrived.get(0));
    assertArrivedInOrder(arrived, expected);
    try (var files = Files.list(outbox.directory())) {
      assertThat(files).as("the torn write is gone, nothing else is left").isEmpty();
    }
  }

  private void emit(OutboxEventSink sink, List<Event> expected, Event event) {
    sink.emit(event);
    expected.add(event);
  }

  /**
   * Every expected event arrived, in the order emitted; an event sent again after a lost confirm
   * arrives only right after itself, as the same envelope.
   */
  private void assertArrivedInOrder(List<Envelope<Event>> arrived, List<Event> expected) {
    List<Envelope<Event>> distinct = new ArrayList<>();
    for (Envelope<Event> envelope : arrived) {
      if (!distinct.isEmpty() && distinct.get(distinct.size() - 1).seq() == envelope.seq()) {
        assertThat(envelope).isEqualTo(distinct.get(distinct.size() - 1));
      } else {
        distinct.add(envelope);
      }
    }
    assertThat(distinct.stream().map(Envelope::payload).toList())
        .containsExactlyElementsOf(expected);
    assertThat(distinct.stream().map(Envelope::seq).toList()).isSorted().doesNotHaveDuplicates();
    assertThat(distinct)
        .allSatisfy(
            envelope -> {
              assertThat(envelope.migrationId()).isEqualTo(migration);
              assertThat(envelope.attempt()).isEqualTo(1);
              assertThat(envelope.instanceId()).isEqualTo(INSTANCE);
            });
  }

  private OutboxEventSink sink(EventOutbox outbox, OutboxRelay relay) {
    return new OutboxEventSink(outbox, relay, INSTANCE, migration, 1, Clock.systemUTC());
  }

  private static StepProgress progress(int percent) {
    return new StepProgress(
        Step.DUMP, (double) percent, null, null, null, null, "table " + percent);
  }

  /** A durable queue bound to every event, which survives the broker's restart. */
  private String declareTap() throws Exception {
    String tap = topology.namespace() + ".tap";
    try (Connection connection = connect("tap");
        Channel channel = connection.createChannel()) {
      new TopologyDeclarer(topology).declareShared(channel);
      channel.queueDeclare(tap, true, false, false, Map.of());
      channel.queueBind(tap, topology.eventsExchange(), "#");
    }
    return tap;
  }

  /** Everything in the tap, in queue order. */
  private List<Envelope<Event>> drain(String tap) throws Exception {
    return drain(tap, null);
  }

  /**
   * Everything in the tap, in queue order; each with the MAC the coordinator holding {@code
   * coordinatorSide} expects, unless that is null.
   */
  private List<Envelope<Event>> drain(String tap, EventMacKey coordinatorSide) throws Exception {
    List<Envelope<Event>> arrived = new ArrayList<>();
    try (Connection connection = connect("tap");
        Channel channel = connection.createChannel()) {
      for (GetResponse got = channel.basicGet(tap, true);
          got != null;
          got = channel.basicGet(tap, true)) {
        Envelope<Event> envelope = codec.decode(got.getBody(), Event.class);
        if (coordinatorSide != null) {
          EventMac mac = EventMac.fromHeaders(got.getProps().getHeaders()).orElseThrow();
          assertThat(coordinatorSide.matches(envelope, got.getBody(), mac)).isTrue();
        }
        arrived.add(envelope);
      }
    }
    return arrived;
  }

  private Connection connect(String name) {
    return new AmqpConnector(broker.uri(), WAIT).connect(name);
  }

  private ConfirmingPublisher publisher(Connection connection) {
    return new ConfirmingPublisher(connection, codec, Duration.ofSeconds(10));
  }

  private AgentConfig config() throws Exception {
    return TestAgentConfig.of(INSTANCE, work)
        .broker(broker.uri(), topology.namespace())
        .pgBindir(work.resolve("bin"))
        .intervals(Duration.ofSeconds(5), Duration.ofSeconds(1))
        .sweepInterval(Duration.ofMinutes(15))
        .build();
  }
}
