package io.pgshuttle.cli.config;

/**
 * The {@code amqp:} section of a configuration file. Null fields are unset. The TLS settings are
 * added to the URI as its query parameters of the same meaning ({@code cacertfile}, {@code
 * certfile}, {@code keyfile}, {@code auth_mechanism}; see {@link io.pgshuttle.amqp.AmqpConnector}).
 *
 * @param uri the broker, {@code amqp://user:password@host:5672/vhost}, or {@code amqps://…} for TLS
 *     (PGSHUTTLE_AMQP_URI)
 * @param namespace prefix of every broker name (PGSHUTTLE_NAMESPACE)
 * @param caFile PEM file of the CAs that sign the broker's certificate; the JDK's CAs when unset
 *     (PGSHUTTLE_AMQP_CA_FILE)
 * @param certFile PEM file of a client certificate (PGSHUTTLE_AMQP_CERT_FILE)
 * @param keyFile PEM file of its unencrypted PKCS#8 key (PGSHUTTLE_AMQP_KEY_FILE)
 * @param authMechanism {@code plain} (user and password of the URI) or {@code external} (the client
 *     certificate's common name is the user) (PGSHUTTLE_AMQP_AUTH_MECHANISM)
 */
public record AmqpSection(
    String uri,
    String namespace,
    String caFile,
    String certFile,
    String keyFile,
    String authMechanism) {}
