/**
 * Event folding: the coordinator's event queue folded idempotently into the status view (only
 * events MACed with the key of the instance they name, or signed by the coordinator, see {@link
 * io.pgshuttle.coordinator.events.EventSignatures}), and the watchdog that fails attempts whose
 * agent went silent.
 */
package io.pgshuttle.coordinator.events;
