/**
 * The coordinator's HTTP API: a table of {@link io.pgshuttle.coordinator.http.Route}s, one {@link
 * io.pgshuttle.coordinator.http.Resource} per kind of thing (health, migrations, event streams,
 * sweeps, dead letters, metrics, the OpenAPI document), bearer-token authentication with scopes,
 * served by {@link io.pgshuttle.coordinator.http.HttpApi}; and the dashboard's static files.
 */
package io.pgshuttle.coordinator.http;
