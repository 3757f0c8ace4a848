package io.pgshuttle.cli.config;

/**
 * The {@code amqp:} section of a configuration file. Null fields are unset.
 *
 * @param uri the broker, {@code amqp://user:password@host:5672/vhost} (PGSHUTTLE_AMQP_URI)
 * @param namespace prefix of every broker name (PGSHUTTLE_NAMESPACE)
 */
public record AmqpSection(String uri, String namespace) {}
