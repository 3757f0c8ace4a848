package io.pgshuttle.amqp;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
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
 * retries a first connection that fails, until {@code connectTimeout} has passed. Thread-safe.
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
    factory.setNetworkRecoveryInterval(RETRY_INTERVAL.toMillis());
    factory.setRequestedHeartbeat(15);
    this.connectTimeout = connectTimeout;
    this.description = describe(uri);
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
