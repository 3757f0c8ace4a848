/**
 * The coordinator's HTTP endpoints: health, the status view of migrations, cancel, sweeps of
 * leftovers, and streams of events.
 */
package io.pgshuttle.coordinator.http;
