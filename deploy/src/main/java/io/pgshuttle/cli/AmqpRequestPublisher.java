package io.pgshuttle.cli;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.pgshuttle.amqp.AmqpConnector;
import io.pgshuttle.amqp.AmqpException;
import io.pgshuttle.amqp.ConfirmingPublisher;
import io.pgshuttle.amqp.PublishOutcome;
import io.pgshuttle.amqp.TopologyDeclarer;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MigrationRequest;
import io.pgshuttle.messages.Topology;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * Publishes a request to the requests queue through the default exchange, persistent, mandatory and
 * confirmed, on a connection of its own. Declares the shared topology first, so a request made
 * before the coordinator ever ran waits in its queue. Thread-safe (each publish connects anew).
 */
final class AmqpRequestPublisher implements RequestPublisher {
  private static final Duration CONFIRM_TIMEOUT = Duration.ofSeconds(30);

  private final AmqpConnector connector;
  private final Topology topology;
  private final MessageCodec codec;

  AmqpRequestPublisher(AmqpConnector connector, Topology topology, MessageCodec codec) {
    this.connector = connector;
    this.topology = topology;
    this.codec = codec;
  }

  @Override
  public void publish(Envelope<MigrationRequest> request) {
    String queue = topology.requestsQueue();
    PublishOutcome outcome;
    try (Connection connection = BrokerConnections.open(connector, "pgshuttle-submit")) {
      try (Channel channel = connection.createChannel()) {
        new TopologyDeclarer(topology).declareShared(channel);
      }
      try (ConfirmingPublisher publisher =
          new ConfirmingPublisher(connection, codec, CONFIRM_TIMEOUT)) {
        outcome = publisher.publish("", queue, request, true, Map.of());
      }
    } catch (IOException | TimeoutException | AmqpException e) {
      throw CliException.unreachable(
          "cannot publish the request to queue "
              + queue
              + " on RabbitMQ at "
              + connector.description()
              + ": "
              + BrokerConnections.reason(e)
              + "; check PGSHUTTLE_AMQP_URI and PGSHUTTLE_NAMESPACE",
          e);
    }
    if (outcome == PublishOutcome.UNROUTABLE) {
      throw CliException.unreachable(
          "RabbitMQ at "
              + connector.description()
              + " did not route the request to queue "
              + queue
              + "; check PGSHUTTLE_NAMESPACE",
          null);
    }
  }
}
