/**
 * The coordinator's HTTP endpoints: health, the status view of migrations, cancel, sweeps of
 * leftovers, and the dashboard's static files.
 */
package io.pgshuttle.coordinator.http;
