package io.pgshuttle.amqp;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.impl.recovery.RecordedBinding;
import com.rabbitmq.client.impl.recovery.RecordedConsumer;
import com.rabbitmq.client.impl.recovery.RecordedEntity;
import com.rabbitmq.client.impl.recovery.RecordedExchange;
import com.rabbitmq.client.impl.recovery.RecordedQueue;
import com.rabbitmq.client.impl.recovery.TopologyRecoveryFilter;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens broker connections that recover by themselves. Unlike the client's own recovery, this also
 * retries a first connection that fails, until {@code connectTimeout} has passed. After a broker
 * restart or a forced close, the client reopens the connection and its open channels and consumers
 * by itself; what was declared on channels the application has closed since is not declared again
 * (see {@link OpenChannelsOnly}). Thread-safe.
 */
public final class AmqpConnector {
  private static final Logger log = LoggerFactory.getLogger(AmqpConnector.class);
  private static final Duration RETRY_INTERVAL = Duration.ofSeconds(1);

  private final ConnectionFactory factory;
  private final String description;
  private final Duration connectTimeout;

  /**
   * @param uri {@code amqp://user:password@host:port/vhost}; the password is never logged
   * @param connectTimeout how long {@link #connect(String)} keeps trying a first connection
   * @throws IllegalArgumentException if the URI is not an AMQP URI, saying how to write one
   */
  public AmqpConnector(String uri, Duration connectTimeout) {
    this.factory = new ConnectionFactory();
    try {
      factory.setUri(uri);
    } catch (URISyntaxException | GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "PGSHUTTLE_AMQP_URI is not an AMQP URI: write it as"
              + " amqp://user:password@host:5672/%2f",
          e);
    }
    factory.setAutomaticRecoveryEnabled(true);
    factory.setTopologyRecoveryEnabled(true);
    factory.setTopologyRecoveryFilter(new OpenChannelsOnly());
    factory.setNetworkRecoveryInterval(RETRY_INTERVAL.toMillis());
    factory.setRequestedHeartbeat(15);
    this.connectTimeout = connectTimeout;
    this.description = describe(uri);
  }

  /**
   * The broker user the connections authenticate as: what the broker accepts as the {@code user-id}
   * of a message published on them.
   */
  public String user() {
    return factory.getUsername();
  }

  /** {@code host:port/vhost} of the broker, without credentials. */
  public String description() {
    return description;
  }

  /**
   * A new connection named {@code clientName} (shown in the management UI).
   *
   * @throws AmqpException if no connection could be made within the connect timeout
   */
  public Connection connect(String clientName) {
    Instant deadline = Instant.now().plus(connectTimeout);
    while (true) {
      try {
        return factory.newConnection(clientName);
      } catch (IOException | TimeoutException e) {
        if (Instant.now().isAfter(deadline)) {
          throw new AmqpException(
              "cannot connect to RabbitMQ at "
                  + description
                  + " within "
                  + connectTimeout.toSeconds()
                  + " s: check PGSHUTTLE_AMQP_URI and that the broker runs",
              e);
        }
        log.warn("RabbitMQ at {} not reachable yet ({}); retrying", description, e.toString());
        sleep(RETRY_INTERVAL);
      }
    }
  }

  /**
   * Recovers only what was declared or consumed on a channel that is still open. The client records
   * every declaration with the channel it came on, and after a reconnect declares it again on that
   * channel; a channel closed after declaring (as each process does with the durable topology it
   * declares at start) cannot, and every such entity failed with an error and a stack trace in the
   * log on each recovery. Durable exchanges, queues and bindings outlive a broker restart anyway.
   * Called on the client's recovery thread, after the open channels have recovered.
   */
  static final class OpenChannelsOnly implements TopologyRecoveryFilter {
    @Override
    public boolean filterExchange(RecordedExchange exchange) {
      return open(exchange);
    }

    @Override
    public boolean filterQueue(RecordedQueue queue) {
      return open(queue);
    }

    @Override
    public boolean filterBinding(RecordedBinding binding) {
      return open(binding);
    }

    @Override
    public boolean filterConsumer(RecordedConsumer consumer) {
      return open(consumer);
    }

    private static boolean open(RecordedEntity entity) {
      return entity.getChannel() != null && entity.getChannel().isOpen();
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AmqpException("interrupted while connecting to RabbitMQ", e);
    }
  }

  private static String describe(String uri) {
    try {
      URI parsed = new URI(uri);
      int port = parsed.getPort() == -1 ? 5672 : parsed.getPort();
      String vhost = parsed.getRawPath() == null ? "" : parsed.getRawPath();
      return parsed.getHost() + ":" + port + vhost;
    } catch (URISyntaxException e) {
      return "(unparsable URI)";
    }
  }
}
