package io.pgshuttle.cli.config;

import io.pgshuttle.messages.Secret;
import io.pgshuttle.messages.Topology;
import java.net.URI;

/**
 * What the client commands ({@code submit}, {@code status}, {@code list}, {@code watch}) need.
 *
 * @param amqpUri PGSHUTTLE_AMQP_URI
 * @param namespace PGSHUTTLE_NAMESPACE, already checked to make a valid {@link Topology}
 * @param coordinatorUrl PGSHUTTLE_COORDINATOR_URL, an http(s) URL without a trailing slash
 * @param apiToken PGSHUTTLE_API_TOKEN, the bearer token sent to the coordinator; null sends none
 */
public record ClientSettings(
    String amqpUri, String namespace, URI coordinatorUrl, Secret apiToken) {
  public Topology topology() {
    return new Topology(namespace);
  }
}
