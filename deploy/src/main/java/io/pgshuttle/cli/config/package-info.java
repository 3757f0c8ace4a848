/**
 * Configuration of the daemons and the client commands: YAML files with the sections {@code amqp},
 * {@code coordinator} and {@code agent}, overridden by {@code PGSHUTTLE_*} environment variables,
 * completed by defaults. {@link io.pgshuttle.cli.config.ConfigLoader} is pure (text and an
 * environment map in, records out) so that it is tested without I/O.
 */
package io.pgshuttle.cli.config;
