package io.pgshuttle.cli;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DeliverCallback;
import io.pgshuttle.amqp.AmqpConnector;
import io.pgshuttle.amqp.TopologyDeclarer;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MessageDecodingException;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.Topology;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Subscribes to one migration's events with a queue of its own: server-named, exclusive and
 * auto-delete, bound to the events exchange with {@link Topology#eventPatternForMigration}. The
 * queue goes away with the connection. Thread-safe; each stream is for one reader.
 */
final class AmqpEventFeed implements EventFeed {
  private static final Logger log = LoggerFactory.getLogger(AmqpEventFeed.class);

  private final AmqpConnector connector;
  private final Topology topology;
  private final MessageCodec codec;

  AmqpEventFeed(AmqpConnector connector, Topology topology, MessageCodec codec) {
    this.connector = connector;
    this.topology = topology;
    this.codec = codec;
  }

  @Override
  public Subscription subscribe(MigrationId migrationId) {
    Connection connection = BrokerConnections.open(connector, "pgshuttle-watch");
    BlockingQueue<Envelope<Event>> received = new LinkedBlockingQueue<>();
    try {
      Channel channel = connection.createChannel();
      new TopologyDeclarer(topology).declareShared(channel);
      String queue = channel.queueDeclare("", false, true, true, Map.of()).getQueue();
      channel.queueBind(
          queue, topology.eventsExchange(), topology.eventPatternForMigration(migrationId));
      DeliverCallback onDelivery =
          (tag, delivery) -> {
            try {
              received.add(codec.decode(delivery.getBody(), Event.class));
            } catch (MessageDecodingException e) {
              log.warn("skipping an event that cannot be read: {}", e.getMessage());
            }
          };
      channel.basicConsume(queue, true, onDelivery, tag -> {});
    } catch (IOException e) {
      closeQuietly(connection);
      throw CliException.unreachable(
          "cannot subscribe to "
              + topology.eventsExchange()
              + " on RabbitMQ at "
              + connector.description()
              + ": "
              + BrokerConnections.reason(e)
              + "; check PGSHUTTLE_AMQP_URI and PGSHUTTLE_NAMESPACE",
          e);
    }
    return new Subscription() {
      @Override
      public Optional<Envelope<Event>> next(Duration wait) throws InterruptedException {
        return Optional.ofNullable(received.poll(wait.toMillis(), TimeUnit.MILLISECONDS));
      }

      @Override
      public void close() {
        closeQuietly(connection);
      }
    };
  }

  private static void closeQuietly(Connection connection) {
    try {
      connection.close();
    } catch (IOException | com.rabbitmq.client.AlreadyClosedException e) {
      // The connection is gone either way; the exclusive queue goes with it.
    }
  }
}
