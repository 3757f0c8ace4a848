package io.pgshuttle.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.MessageProperties;
import io.pgshuttle.testkit.RabbitNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Connections that recover, on a RabbitMQ node of the test's own that is stopped, started again and
 * has its connections closed by force.
 */
class AmqpConnectorIT {
  static final Duration WAIT = Duration.ofSeconds(60);

  @AutoClose static final RabbitNode broker = RabbitNode.start(List.of());

  @Test
  void aFirstConnectionTriedWhileTheBrokerIsDownIsMadeOnceItIsUp() throws Exception {
    ListAppender<ILoggingEvent> connectorLog = new ListAppender<>();
    connectorLog.start();
    Logger connector = (Logger) LoggerFactory.getLogger(AmqpConnector.class);
    connector.addAppender(connectorLog);
    broker.stop();
    CompletableFuture<Connection> connecting =
        CompletableFuture.supplyAsync(() -> new AmqpConnector(broker.uri(), WAIT).connect("late"));
    try {
      await()
          .atMost(WAIT)
          .until(
              () ->
                  connectorLog.list.stream()
                      .anyMatch(e -> e.getFormattedMessage().contains("not reachable yet")));
    } finally {
      connector.detachAppender(connectorLog);
      broker.startAgain();
    }

    try (Connection connection = connecting.get()) {
      assertThat(connection.isOpen()).isTrue();
    }
  }

  /**
   * A consumer on an open channel takes messages again after the broker restarted and after its
   * connection was closed by force; what was declared on a channel closed since is not declared
   * again, and the client reports no recovery error.
   */
  @Test
  void aConsumerComesBackAfterARestartAndAForcedCloseWithoutRecoveryErrors() throws Exception {
    ListAppender<ILoggingEvent> clientLog = new ListAppender<>();
    clientLog.start();
    Logger client = (Logger) LoggerFactory.getLogger("com.rabbitmq.client");
    client.addAppender(clientLog);
    List<String> received = new CopyOnWriteArrayList<>();
    try (Connection connection = new AmqpConnector(broker.uri(), WAIT).connect("consuming")) {
      try (Channel declaring = connection.createChannel()) {
        declaring.exchangeDeclare("recovery-it", BuiltinExchangeType.DIRECT, true);
        declaring.queueDeclare(
            "recovery-it.quorum", true, false, false, Map.of("x-queue-type", "quorum"));
        declaring.queueBind("recovery-it.quorum", "recovery-it", "k");
      }
      Channel consuming = connection.createChannel();
      consuming.basicConsume(
          "recovery-it.quorum",
          false,
          (tag, delivery) -> {
            received.add(new String(delivery.getBody(), StandardCharsets.UTF_8));
            consuming.basicAck(delivery.getEnvelope().getDeliveryTag(), false);
          },
          tag -> {});

      publish("before");
      await().atMost(WAIT).until(() -> received.contains("before"));

      broker.restart();
      publish("after the restart");
      await().atMost(WAIT).until(() -> received.contains("after the restart"));

      broker.closeAllConnections("AmqpConnectorIT closes every connection");
      publish("after the forced close");
      await().atMost(WAIT).until(() -> received.contains("after the forced close"));
    } finally {
      client.detachAppender(clientLog);
    }
    assertThat(clientLog.list)
        .filteredOn(event -> event.getLevel().isGreaterOrEqual(Level.ERROR))
        .extracting(ILoggingEvent::getFormattedMessage)
        .isEmpty();
  }

  /** Publishes on a connection of its own, which waits for the broker to be back. */
  private static void publish(String text) throws Exception {
    try (Connection connection = new AmqpConnector(broker.uri(), WAIT).connect("publishing");
        Channel channel = connection.createChannel()) {
      channel.confirmSelect();
      channel.basicPublish(
          "recovery-it",
          "k",
          true,
          MessageProperties.PERSISTENT_TEXT_PLAIN,
          text.getBytes(StandardCharsets.UTF_8));
      channel.waitForConfirmsOrDie(10_000);
    }
  }
}
