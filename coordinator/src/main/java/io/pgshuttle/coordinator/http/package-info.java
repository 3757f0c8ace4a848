/**
 * The coordinator's HTTP endpoints: health, the status view of migrations, cancel, and sweeps of
 * leftovers.
 */
package io.pgshuttle.coordinator.http;
