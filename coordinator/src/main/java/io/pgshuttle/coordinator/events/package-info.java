/**
 * Event folding: the coordinator's event queue folded idempotently into the status view, and the
 * watchdog that fails attempts whose agent went silent.
 */
package io.pgshuttle.coordinator.events;
