package io.pgshuttle.cli;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a request to the requests queue through the default exchange, persistent, mandatory and
 * confirmed, on a connection of its own. Declares the shared topology first, so a request made
 * before the coordinator ever ran waits in its queue. If the connection drops before the broker
 * confirmed (a broker restart, a forced close), it connects and publishes again, for as long as the
 * connect timeout allows from the first drop: the requestId makes a repeat the same migration.
 * Thread-safe (each publish connects anew).
 */
final class AmqpRequestPublisher implements RequestPublisher {
  private static final Logger log = LoggerFactory.getLogger(AmqpRequestPublisher.class);
  private static final Duration CONFIRM_TIMEOUT = Duration.ofSeconds(30);

  private final AmqpConnector connector;
  private final Duration connectTimeout;
  private final Topology topology;
  private final MessageCodec codec;

  /**
   * @param connectTimeout how long to keep publishing again after a connection dropped; the same as
   *     the connector's
   */
  AmqpRequestPublisher(
      AmqpConnector connector, Duration connectTimeout, Topology topology, MessageCodec codec) {
    this.connector = connector;
    this.connectTimeout = connectTimeout;
    this.topology = topology;
    this.codec = codec;
  }

  @Override
  public void publish(Envelope<MigrationRequest> request) {
    if (publishUntilConfirmed(request) == PublishOutcome.UNROUTABLE) {
      throw CliException.unreachable(
          "RabbitMQ at "
              + connector.description()
              + " did not route the request to queue "
              + topology.requestsQueue()
              + "; check PGSHUTTLE_NAMESPACE",
          null);
    }
  }

  private PublishOutcome publishUntilConfirmed(Envelope<MigrationRequest> request) {
    long firstDropNanos = 0;
    int drops = 0;
    while (true) {
      try {
        return publishOnce(request);
      } catch (CliException e) {
        if (drops == 0) {
          throw e;
        }
        // Reconnecting failed after a drop: whether the broker took the request is unknown.
        throw CliException.unreachable(
            e.getMessage()
                + ". The connection had dropped before the broker confirmed the request, so it may"
                + " or may not be queued: "
                + resubmitHint(request),
            e);
      } catch (ConnectionDropped e) {
        drops++;
        if (drops == 1) {
          firstDropNanos = System.nanoTime();
        } else if (System.nanoTime() - firstDropNanos > connectTimeout.toNanos()) {
          throw CliException.unreachable(
              "the connection to RabbitMQ at "
                  + connector.description()
                  + " dropped "
                  + drops
                  + " times before the broker confirmed the request, last because: "
                  + BrokerConnections.reason(e.cause())
                  + ". The request may or may not be queued: "
                  + resubmitHint(request),
              e.cause());
        }
        log.warn(
            "the connection to RabbitMQ dropped before it confirmed the request ({}); publishing"
                + " it again",
            BrokerConnections.reason(e.cause()));
      } catch (IOException | TimeoutException | AmqpException e) {
        throw CliException.unreachable(
            "cannot publish the request to queue "
                + topology.requestsQueue()
                + " on RabbitMQ at "
                + connector.description()
                + ": "
                + BrokerConnections.reason(e)
                + "; check PGSHUTTLE_AMQP_URI and PGSHUTTLE_NAMESPACE. Whether or not it was"
                + " queued, it is safe to "
                + resubmitHint(request),
            e);
      }
    }
  }

  /**
   * Connects, declares, publishes and waits for the confirm.
   *
   * @throws ConnectionDropped if the connection went away before the confirm
   * @throws CliException if no connection could be made within the connect timeout
   */
  private PublishOutcome publishOnce(Envelope<MigrationRequest> request)
      throws IOException, TimeoutException {
    Connection connection = BrokerConnections.open(connector, "pgshuttle-submit");
    try {
      try (Channel channel = connection.createChannel()) {
        new TopologyDeclarer(topology).declareShared(channel);
      }
      try (ConfirmingPublisher publisher =
          new ConfirmingPublisher(connection, codec, CONFIRM_TIMEOUT)) {
        return publisher.publish("", topology.requestsQueue(), request, true, Map.of());
      }
    } catch (IOException | TimeoutException | AmqpException | ShutdownSignalException e) {
      if (dropped(connection, e)) {
        throw new ConnectionDropped(e);
      }
      if (e instanceof ShutdownSignalException signal) {
        // The broker closed the channel, say for a queue declared with other arguments.
        throw new AmqpException(signal.getMessage(), signal);
      }
      throw e;
    } finally {
      // Abort, not close: it never throws on a dropped connection, and it stops the client from
      // recovering a connection this class has finished with.
      connection.abort();
    }
  }

  /**
   * Whether {@code failure} came from the connection going away (rather than, say, the broker
   * refusing the message), so that publishing again on a new connection may succeed.
   */
  private static boolean dropped(Connection connection, Exception failure) {
    if (!connection.isOpen()) {
      return true;
    }
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof ShutdownSignalException signal && signal.isHardError()) {
        return true;
      }
    }
    return false;
  }

  private static String resubmitHint(Envelope<MigrationRequest> request) {
    return "submit again with --request-id "
        + request.payload().requestId()
        + " (the same id is the same migration, never a second one)";
  }

  /** The connection went away before the confirm; {@link #cause()} says how. */
  private static final class ConnectionDropped extends RuntimeException {
    ConnectionDropped(Exception cause) {
      super(cause);
    }

    Exception cause() {
      return (Exception) getCause();
    }
  }
}
