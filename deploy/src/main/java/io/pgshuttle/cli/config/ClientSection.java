package io.pgshuttle.cli.config;

import io.pgshuttle.messages.Secret;

/**
 * The {@code client:} section of a configuration file, read by the client commands. Null fields are
 * unset.
 *
 * @param coordinatorUrl as PGSHUTTLE_COORDINATOR_URL
 * @param apiToken as PGSHUTTLE_API_TOKEN
 */
public record ClientSection(String coordinatorUrl, Secret apiToken) {}
