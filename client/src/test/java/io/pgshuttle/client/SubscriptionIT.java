package io.pgshuttle.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.MessageProperties;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MessageDecodingException;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.StepStarted;
import io.pgshuttle.messages.Topology;
import io.pgshuttle.testkit.RabbitNode;
import io.pgshuttle.testkit.TestBroker;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link PgShuttleClient#subscribe} against a real RabbitMQ node of the test's own (its connections
 * are closed by force): resumption through the durable queue, acks after the handler, undecodable
 * messages, handler failures, connection recovery, and consuming again after the queue was deleted
 * or the broker closed the channel.
 */
class SubscriptionIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final MigrationId MIGRATION = MigrationId.forRequest("subscription-it");

  @AutoClose static final RabbitNode broker = RabbitNode.start(List.of());
  private static final MessageCodec codec = new MessageCodec();
  private static Connection publisherConnection;
  private static Channel publisher;

  private final String namespace = TestBroker.freshNamespace();
  private final Topology topology = new Topology(namespace);
  private final PgShuttleClient client = clientOf(broker);
  private final List<Envelope<Event>> received = new CopyOnWriteArrayList<>();
  private final List<String> errors = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void connectPublisher() throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(broker.uri());
    factory.setAutomaticRecoveryEnabled(true);
    factory.setNetworkRecoveryInterval(500);
    publisherConnection = factory.newConnection("subscription-it-publisher");
    publisher = publisherConnection.createChannel();
    publisher.confirmSelect();
  }

  @AfterAll
  static void closePublisher() throws Exception {
    publisherConnection.close();
  }

  @Test
  void eventsPublishedWhileClosedArriveOnTheNextSubscriptionAndEveryOneIsAcked() throws Exception {
    SubscriptionSpec spec = spec(namespace + ".control-plane", "vm-1.#");
    try (Subscription first = client.subscribe(spec)) {
      assertThat(first.queue()).isEqualTo(namespace + ".control-plane");
      publish("vm-1", 1);
      publish("vm-1", 2);
      await().atMost(WAIT).until(() -> received.size() == 2);
    }
    publish("vm-1", 3);
    publish("vm-2", 4);
    publish("vm-1", 5);

    try (Subscription again = client.subscribe(spec)) {
      await().atMost(WAIT).until(() -> received.size() == 4);
      publish("vm-1", 6);
      await().atMost(WAIT).until(() -> received.size() == 5);
    }

    assertThat(received).extracting(Envelope::seq).containsExactly(1L, 2L, 3L, 5L, 6L);
    assertThat(received).extracting(Envelope::instanceId).containsOnly("vm-1");
    assertThat(errors).isEmpty();
    assertThat(messagesIn(spec.queue())).isZero();
  }

  @Test
  void anUndecodableMessageGoesToTheErrorHandlerAndDoesNotStallTheQueue() throws Exception {
    SubscriptionSpec spec = spec(namespace + ".control-plane", "#");
    try (Subscription subscription = client.subscribe(spec)) {
      publishRaw(
          "vm-1." + MIGRATION + ".StepStarted", "{not json".getBytes(StandardCharsets.UTF_8));
      publish("vm-1", 1);
      await().atMost(WAIT).until(() -> received.size() == 1 && errors.size() == 1);
    }

    assertThat(received).extracting(Envelope::seq).containsExactly(1L);
    assertThat(errors.get(0))
        .startsWith(
            "vm-1."
                + MIGRATION
                + ".StepStarted {not json MessageDecodingException: malformed JSON");
    assertThat(messagesIn(spec.queue())).isZero();
  }

  @Test
  void anEventWhoseHandlerThrowsComesAgainAndIsAckedOnceHandled() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    SubscriptionSpec spec =
        specWhoseFirstCall(
            calls,
            () -> {
              throw new IllegalStateException("control plane database is down");
            });
    try (Subscription subscription = client.subscribe(spec)) {
      publish("vm-1", 1);
      await().atMost(WAIT).until(() -> received.size() == 1);
    }

    assertThat(calls).hasValue(2);
    assertThat(errors)
        .singleElement()
        .asString()
        .endsWith("IllegalStateException: control plane database is down");
    assertThat(messagesIn(spec.queue())).isZero();
  }

  @Test
  void theSubscriptionRecoversWhenTheBrokerClosesItsConnection() throws Exception {
    try (Subscription subscription = client.subscribe(spec(namespace + ".control-plane", "#"))) {
      publish("vm-1", 1);
      await().atMost(WAIT).until(() -> received.size() == 1);

      broker.closeAllConnections("subscription-it forces a reconnect");
      await().atMost(WAIT).until(publisher::isOpen);
      publish("vm-1", 2);

      await().atMost(WAIT).until(() -> received.size() >= 2);
    }
    assertThat(received).extracting(Envelope::seq).contains(1L, 2L);
  }

  @Test
  void theSubscriptionDeclaresItsQueueAgainAndResumesWhenTheQueueIsDeleted() throws Exception {
    SubscriptionSpec spec = spec(namespace + ".control-plane", "vm-1.#");
    try (Subscription subscription = client.subscribe(spec)) {
      publish("vm-1", 1);
      await().atMost(WAIT).until(() -> received.size() == 1);

      publisher.queueDelete(spec.queue());
      await().atMost(WAIT).until(() -> consumersOf(spec.queue()) == 1);
      publish("vm-1", 2);
      publish("vm-2", 3);

      await().atMost(WAIT).until(() -> received.size() == 2);
    }
    assertThat(received).extracting(Envelope::seq).containsExactly(1L, 2L);
    assertThat(errors).isEmpty();
  }

  @Test
  void aQueueThatCannotBeDeclaredAgainIsTheSubscriptionsProblemUntilItGoes() throws Exception {
    SubscriptionSpec spec = spec(namespace + ".control-plane", "vm-1.#");
    try (Subscription subscription = client.subscribe(spec)) {
      assertThat(subscription.problem()).isEmpty();

      publisher.queueDelete(spec.queue());
      publisher.queueDeclare(spec.queue(), true, false, false, Map.of());
      await()
          .atMost(WAIT)
          .until(() -> subscription.problem().orElse("").contains("inequivalent arg"));
      assertThat(subscription.problem().orElseThrow()).contains("not consuming " + spec.queue());

      publisher.queueDelete(spec.queue());
      await().atMost(Duration.ofSeconds(60)).until(() -> subscription.problem().isEmpty());
      publish("vm-1", 1);
      await().atMost(WAIT).until(() -> received.size() == 1);
    }
    assertThat(received).extracting(Envelope::seq).containsExactly(1L);
  }

  @Test
  void theSubscriptionConsumesOnANewChannelWhenTheBrokerClosesItsChannel() throws Exception {
    Duration consumerTimeout = Duration.ofSeconds(2);
    AtomicInteger calls = new AtomicInteger();
    try (RabbitNode strict = RabbitNode.startWithConsumerTimeout(consumerTimeout)) {
      // The first event is held past the consumer timeout: the broker closes the channel, not
      // the connection, and requeues the event.
      SubscriptionSpec spec =
          specWhoseFirstCall(calls, () -> Thread.sleep(consumerTimeout.multipliedBy(3).toMillis()));
      ConnectionFactory factory = new ConnectionFactory();
      factory.setUri(strict.uri());
      try (Subscription subscription = clientOf(strict).subscribe(spec);
          Connection connection = factory.newConnection("subscription-it-strict-publisher");
          Channel strictPublisher = connection.createChannel()) {
        strictPublisher.confirmSelect();
        publishRaw(strictPublisher, "vm-1", 1);
        await().atMost(WAIT).until(() -> calls.get() >= 2);
        publishRaw(strictPublisher, "vm-1", 2);

        await().atMost(WAIT).until(() -> received.stream().anyMatch(event -> event.seq() == 2));
      }
    }
    assertThat(received).extracting(Envelope::seq).contains(1L, 2L);
    assertThat(errors).isEmpty();
  }

  @Test
  void aBrokerThatCannotBeReachedIsRetryable() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    PgShuttleClient unreachable =
        PgShuttleClient.builder()
            .coordinatorUri("http://127.0.0.1:1")
            .amqpUri("amqp://guest:guest@127.0.0.1:" + closedPort)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    assertThatThrownBy(() -> unreachable.subscribe(spec("q", "#")))
        .isInstanceOfSatisfying(
            TransientClientException.class,
            e -> {
              assertThat(e.getMessage())
                  .startsWith("cannot connect to RabbitMQ at 127.0.0.1:" + closedPort)
                  .doesNotContain("guest:guest");
              assertThat(e.retryable()).isTrue();
            });
  }

  @Test
  void aQueueOfThatNameWithOtherArgumentsIsRefusedWithWhatToFix() throws Exception {
    String queue = namespace + ".classic";
    publisher.queueDeclare(queue, true, false, false, Map.of());

    assertThatThrownBy(() -> client.subscribe(spec(queue, "#")))
        .isInstanceOf(PermanentClientException.class)
        .hasMessageStartingWith("cannot subscribe queue '" + queue + "'")
        .hasMessageContaining("PRECONDITION_FAILED")
        .hasMessageContaining("must be a durable quorum queue");
  }

  private PgShuttleClient clientOf(RabbitNode node) {
    return PgShuttleClient.builder()
        .coordinatorUri("http://127.0.0.1:1")
        .amqpUri(node.uri())
        .namespace(namespace)
        .recoveryInterval(Duration.ofMillis(500))
        .build();
  }

  /** What the first call of the handler does before it records the event. */
  @FunctionalInterface
  private interface FirstCall {
    void run() throws Exception;
  }

  /** A spec whose handler runs {@code firstCall} on its first call, then keeps the event. */
  private SubscriptionSpec specWhoseFirstCall(AtomicInteger calls, FirstCall firstCall) {
    return SubscriptionSpec.of(
        namespace + ".control-plane",
        "#",
        event -> {
          if (calls.incrementAndGet() == 1) {
            firstCall.run();
          }
          received.add(event);
        },
        this::recordError);
  }

  private SubscriptionSpec spec(String queue, String pattern) {
    return SubscriptionSpec.of(queue, pattern, received::add, this::recordError);
  }

  private void recordError(String routingKey, byte[] body, Exception cause) {
    errors.add(
        routingKey
            + " "
            + new String(body, StandardCharsets.UTF_8)
            + " "
            + cause.getClass().getSimpleName()
            + ": "
            + cause.getMessage());
    if (cause instanceof MessageDecodingException) {
      assertThat(cause.getMessage()).isNotEmpty();
    }
  }

  private void publish(String instance, long seq) throws Exception {
    Envelope<StepStarted> event =
        Envelope.of(instance, MIGRATION, 1, seq, new StepStarted(Step.DUMP));
    publishRaw(topology.eventRoutingKey(instance, MIGRATION, event.type()), codec.encode(event));
  }

  private void publishRaw(String routingKey, byte[] body) throws Exception {
    publishRaw(publisher, routingKey, body);
  }

  private void publishRaw(Channel channel, String instance, long seq) throws Exception {
    Envelope<StepStarted> event =
        Envelope.of(instance, MIGRATION, 1, seq, new StepStarted(Step.DUMP));
    publishRaw(
        channel, topology.eventRoutingKey(instance, MIGRATION, event.type()), codec.encode(event));
  }

  private void publishRaw(Channel channel, String routingKey, byte[] body) throws Exception {
    channel.basicPublish(
        topology.eventsExchange(), routingKey, MessageProperties.PERSISTENT_BASIC, body);
    channel.waitForConfirmsOrDie(10_000);
  }

  private static long messagesIn(String queue) throws Exception {
    return publisher.queueDeclarePassive(queue).getMessageCount();
  }

  /** The queue's consumers; -1 while it does not exist (on a channel of its own, closed then). */
  private static long consumersOf(String queue) throws Exception {
    try (Channel channel = publisherConnection.createChannel()) {
      return channel.queueDeclarePassive(queue).getConsumerCount();
    } catch (IOException e) {
      return -1;
    }
  }
}
