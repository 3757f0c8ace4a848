package io.pgshuttle.amqp;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultSaslConfig;
import com.rabbitmq.client.impl.recovery.RecordedBinding;
import com.rabbitmq.client.impl.recovery.RecordedConsumer;
import com.rabbitmq.client.impl.recovery.RecordedEntity;
import com.rabbitmq.client.impl.recovery.RecordedExchange;
import com.rabbitmq.client.impl.recovery.RecordedQueue;
import com.rabbitmq.client.impl.recovery.TopologyRecoveryFilter;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
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

  /** URI query parameter: PEM file of the CAs that sign the broker's certificate. */
  public static final String CA_FILE = "cacertfile";

  /** URI query parameter: PEM file of the client certificate. */
  public static final String CERT_FILE = "certfile";

  /** URI query parameter: PEM file of the client certificate's unencrypted PKCS#8 key. */
  public static final String KEY_FILE = "keyfile";

  /** URI query parameter: {@code plain} (user and password) or {@code external} (certificate). */
  public static final String AUTH_MECHANISM = "auth_mechanism";

  /** The URI query parameters of TLS, named as in RabbitMQ's own URI specification. */
  private static final Set<String> TLS_OPTIONS =
      Set.of(CA_FILE, CERT_FILE, KEY_FILE, AUTH_MECHANISM);

  private final ConnectionFactory factory;
  private final String description;
  private final Duration connectTimeout;
  private final String user;

  /**
   * @param uri {@code amqp://user:password@host:port/vhost}, or {@code amqps://…} for TLS with the
   *     broker's certificate checked against the JDK's CAs, or those of the query parameter {@code
   *     cacertfile=PEM}, and its host name verified; {@code certfile=PEM&keyfile=PEM} present a
   *     client certificate, and {@code auth_mechanism=external} then logs in as the certificate's
   *     common name, without a password. The password is never logged.
   * @param connectTimeout how long {@link #connect(String)} keeps trying a first connection
   * @throws IllegalArgumentException if the URI is not an AMQP URI, or its TLS files are unusable,
   *     saying how to write it
   */
  public AmqpConnector(String uri, Duration connectTimeout) {
    this.factory = new ConnectionFactory();
    int query = uri.indexOf('?');
    Map<String, String> options = options(query < 0 ? "" : uri.substring(query + 1));
    try {
      factory.setUri(query < 0 ? uri : uri.substring(0, query));
    } catch (URISyntaxException | GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "PGSHUTTLE_AMQP_URI is not an AMQP URI: write it as"
              + " amqp://user:password@host:5672/%2f",
          e);
    }
    this.user = configureTls(options);
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
    return user;
  }

  /**
   * Replaces the client's trust-everything default of {@code amqps://} by the CAs to trust and host
   * name verification, and sets up the client certificate.
   *
   * @return the broker user the connections will be
   */
  private String configureTls(Map<String, String> options) {
    if (!factory.isSSL()) {
      if (!options.isEmpty()) {
        throw new IllegalArgumentException(
            "the TLS settings "
                + options.keySet()
                + " (amqp.caFile, certFile, keyFile, authMechanism) need TLS: write"
                + " PGSHUTTLE_AMQP_URI as amqps://HOST:5671/VHOST");
      }
      return factory.getUsername();
    }
    Path certFile = path(options.get(CERT_FILE));
    factory.useSslProtocol(
        PemTls.context(path(options.get(CA_FILE)), certFile, path(options.get(KEY_FILE))));
    factory.enableHostnameVerification();
    String mechanism = options.getOrDefault(AUTH_MECHANISM, "plain");
    if ("external".equalsIgnoreCase(mechanism)) {
      if (certFile == null) {
        throw new IllegalArgumentException(
            "PGSHUTTLE_AMQP_URI: auth_mechanism=external needs a client certificate: add"
                + " certfile=…&keyfile=…");
      }
      factory.setSaslConfig(DefaultSaslConfig.EXTERNAL);
      return PemTls.commonName(certFile);
    }
    if (!"plain".equalsIgnoreCase(mechanism)) {
      throw new IllegalArgumentException(
          "PGSHUTTLE_AMQP_URI: auth_mechanism must be plain or external, not " + mechanism);
    }
    return factory.getUsername();
  }

  private static Map<String, String> options(String query) {
    Map<String, String> options = new HashMap<>();
    for (String parameter : query.split("&")) {
      if (parameter.isEmpty()) {
        continue;
      }
      int equals = parameter.indexOf('=');
      String name = equals < 0 ? parameter : parameter.substring(0, equals);
      if (!TLS_OPTIONS.contains(name)) {
        throw new IllegalArgumentException(
            "PGSHUTTLE_AMQP_URI: unknown query parameter '"
                + name
                + "': known are "
                + new TreeSet<>(TLS_OPTIONS));
      }
      options.put(
          name,
          equals < 0
              ? ""
              : URLDecoder.decode(parameter.substring(equals + 1), StandardCharsets.UTF_8));
    }
    return options;
  }

  private static Path path(String value) {
    return value == null || value.isEmpty() ? null : Path.of(value);
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
        if (isTlsFailure(e)) {
          // Retrying changes nothing: the certificate or the host name is wrong.
          throw new AmqpException(
              "TLS with RabbitMQ at "
                  + description
                  + " failed ("
                  + e.getMessage()
                  + "): check that cacertfile in PGSHUTTLE_AMQP_URI holds the CA of the broker's"
                  + " certificate and that the URI's host is a name in that certificate",
              e);
        }
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

  private static boolean isTlsFailure(Throwable error) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof SSLException) {
        return true;
      }
    }
    return false;
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
