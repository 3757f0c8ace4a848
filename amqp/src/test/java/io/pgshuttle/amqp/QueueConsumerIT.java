package io.pgshuttle.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Delivery;
import io.pgshuttle.testkit.RabbitNode;
import io.pgshuttle.testkit.TestBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A consumer on the real broker keeps consuming after what the connection's automatic recovery does
 * not mend: its queue deleted, its channel closed by the broker. A handler that throws gets the
 * delivery again on the same channel; a closed consumer consumes nothing.
 */
class QueueConsumerIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final String queue = TestBroker.freshNamespace() + ".consumed";
  private final AtomicInteger setups = new AtomicInteger();
  private final List<Handled> handled = new CopyOnWriteArrayList<>();
  private final List<String> acked = new CopyOnWriteArrayList<>();

  /** A delivery as the handler saw it. */
  record Handled(String body, boolean redelivered, Channel channel) {}

  @AfterEach
  void deleteQueue() {
    TestBroker.delete(List.of(queue), List.of());
  }

  @Test
  void aDeletedQueueIsDeclaredAgainAndConsumed() throws Exception {
    try (Connection connection = connect(TestBroker.uri());
        Channel admin = connection.createChannel();
        QueueConsumer consumer = start(connection, this::ack)) {
      admin.queueDelete(queue);

      await().atMost(WAIT).until(() -> TestBroker.consumers(connection, queue) == 1);
      publish(admin, "after the delete");

      await().atMost(WAIT).until(() -> handled.size() == 1);
    }
    assertThat(setups).as("the setup ran at start and again after the delete").hasValue(2);
    assertThat(handled).extracting(Handled::body).containsExactly("after the delete");
  }

  @Test
  void aChannelTheBrokerClosedIsReplacedAndItsDeliveryComesAgain() throws Exception {
    Duration consumerTimeout = Duration.ofSeconds(2);
    try (RabbitNode strict = RabbitNode.startWithConsumerTimeout(consumerTimeout);
        Connection connection = connect(strict.uri());
        Channel admin = connection.createChannel();
        // Held past the consumer timeout: the broker closes the channel and requeues the
        // delivery, and its ack fails.
        QueueConsumer consumer =
            startHandlingFirst(connection, () -> sleep(consumerTimeout.multipliedBy(3)))) {
      publish(admin, "held too long");

      await().atMost(WAIT).until(() -> acked.size() == 1);
      assertThat(TestBroker.consumers(connection, queue)).isEqualTo(1);
    }
    assertThat(handled)
        .extracting(Handled::body, Handled::redelivered)
        .containsExactly(tuple("held too long", false), tuple("held too long", true));
    assertThat(acked).as("only on the new channel").containsExactly("held too long");
    assertThat(handled.get(0).channel().isOpen()).isFalse();
    assertThat(handled.get(1).channel()).isNotSameAs(handled.get(0).channel());
  }

  @Test
  void aHandlerThatThrowsGetsTheDeliveryAgainOnTheSameChannel() throws Exception {
    try (Connection connection = connect(TestBroker.uri());
        Channel admin = connection.createChannel();
        QueueConsumer consumer =
            startHandlingFirst(
                connection,
                () -> {
                  throw new IOException("the store is down");
                })) {
      publish(admin, "failed once");

      await().atMost(WAIT).until(() -> acked.size() == 1);
    }
    assertThat(handled).extracting(Handled::redelivered).containsExactly(false, true);
    assertThat(acked).containsExactly("failed once");
    assertThat(handled.get(1).channel()).isSameAs(handled.get(0).channel());
    assertThat(setups).as("no new channel was needed").hasValue(1);
  }

  @Test
  void aClosedConsumerDoesNotConsumeAgain() throws Exception {
    try (Connection connection = connect(TestBroker.uri());
        Channel admin = connection.createChannel()) {
      QueueConsumer consumer = start(connection, this::ack);
      consumer.close();
      admin.queueDelete(queue);
      declare(admin);
      publish(admin, "after the close");

      // Longer than the first retry after a deleted queue.
      Thread.sleep(3_000);

      assertThat(admin.consumerCount(queue)).isZero();
      assertThat(admin.messageCount(queue)).isEqualTo(1);
    }
    assertThat(handled).isEmpty();
    assertThat(setups).hasValue(1);
  }

  @Test
  void aSetupTheBrokerRefusesFailsTheStart() throws Exception {
    try (Connection connection = connect(TestBroker.uri())) {
      assertThatThrownBy(
              () ->
                  QueueConsumer.start(
                      connection,
                      queue,
                      1,
                      "it",
                      channel -> channel.queueDeclarePassive(queue),
                      this::ack,
                      QueueConsumer.FIRST_RETRY))
          .isInstanceOfSatisfying(
              IOException.class,
              e -> assertThat(AmqpErrors.describe(e)).startsWith("NOT_FOUND - no queue"));
      assertThat(connection.isOpen()).isTrue();
    }
  }

  private QueueConsumer start(Connection connection, QueueConsumer.Handler handler)
      throws IOException {
    return QueueConsumer.start(
        connection,
        queue,
        1,
        "queue-consumer-it",
        channel -> {
          setups.incrementAndGet();
          declare(channel);
        },
        (channel, delivery) -> {
          handled.add(
              new Handled(
                  new String(delivery.getBody(), StandardCharsets.UTF_8),
                  delivery.getEnvelope().isRedeliver(),
                  channel));
          handler.handle(channel, delivery);
        },
        QueueConsumer.FIRST_RETRY);
  }

  /** What a handler does with the first delivery, before it acks it. */
  interface FirstDelivery {
    void handle() throws IOException;
  }

  /** A consumer whose handler does {@code first} with the first delivery, and acks each. */
  private QueueConsumer startHandlingFirst(Connection connection, FirstDelivery first)
      throws IOException {
    return start(
        connection,
        (channel, delivery) -> {
          if (handled.size() == 1) {
            first.handle();
          }
          ack(channel, delivery);
        });
  }

  /** Acks {@code delivery} and notes its body once the channel took the ack. */
  private void ack(Channel channel, Delivery delivery) throws IOException {
    channel.basicAck(delivery.getEnvelope().getDeliveryTag(), false);
    acked.add(new String(delivery.getBody(), StandardCharsets.UTF_8));
  }

  private void declare(Channel channel) throws IOException {
    channel.queueDeclare(queue, true, false, false, Map.of("x-queue-type", "quorum"));
  }

  private void publish(Channel channel, String body) throws Exception {
    channel.confirmSelect();
    channel.basicPublish("", queue, null, body.getBytes(StandardCharsets.UTF_8));
    channel.waitForConfirmsOrDie(10_000);
  }

  private static Connection connect(String uri) {
    return new AmqpConnector(uri, Duration.ofSeconds(10)).connect("queue-consumer-it");
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
