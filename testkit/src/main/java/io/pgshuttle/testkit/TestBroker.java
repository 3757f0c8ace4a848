package io.pgshuttle.testkit;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.util.Collection;
import java.util.UUID;

/**
 * The RabbitMQ broker tests use: {@code PGSHUTTLE_TEST_AMQP_URI}, else the local one with
 * guest/guest. Each test takes a fresh namespace so that tests never see each other's messages.
 */
public final class TestBroker {
  private TestBroker() {}

  public static String uri() {
    String configured = System.getenv("PGSHUTTLE_TEST_AMQP_URI");
    return configured == null || configured.isBlank()
        ? "amqp://guest:guest@127.0.0.1:5672/%2f"
        : configured;
  }

  /** A namespace no other test uses, for {@code new Topology(namespace)}. */
  public static String freshNamespace() {
    return "pgst-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /**
   * The number of consumers of {@code queue}, or -1 while it does not exist; asked on a channel of
   * its own, since a missing queue closes the channel that asks.
   */
  public static int consumers(Connection connection, String queue) throws IOException {
    Channel asking = connection.createChannel();
    try {
      int consumers = asking.queueDeclarePassive(queue).getConsumerCount();
      asking.abort();
      return consumers;
    } catch (IOException e) {
      if (e.getCause() instanceof ShutdownSignalException signal
          && signal.getReason() instanceof AMQP.Channel.Close close
          && close.getReplyCode() == AMQP.NOT_FOUND) {
        return -1;
      }
      throw e;
    }
  }

  /** Deletes queues and exchanges by name; names that do not exist are skipped. */
  public static void delete(Collection<String> queues, Collection<String> exchanges) {
    ConnectionFactory factory = new ConnectionFactory();
    try {
      factory.setUri(uri());
      try (Connection connection = factory.newConnection("pgshuttle-test-cleanup")) {
        for (String queue : queues) {
          try (Channel channel = connection.createChannel()) {
            channel.queueDelete(queue);
          } catch (Exception ignored) {
            // Not there: nothing to delete.
          }
        }
        for (String exchange : exchanges) {
          try (Channel channel = connection.createChannel()) {
            channel.exchangeDelete(exchange);
          } catch (Exception ignored) {
            // Not there: nothing to delete.
          }
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException("cannot clean up the test broker: " + e.getMessage(), e);
    }
  }
}
