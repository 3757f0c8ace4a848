package io.pgshuttle.coordinator.store;

/**
 * A stored event as an event stream sends it. Immutable; no field is null.
 *
 * @param position store-wide and increasing: an event committed later has a greater one
 * @param type the event's logical type, such as {@code StepStarted}
 * @param envelopeJson the whole envelope, as stored
 */
public record StoredEvent(long position, String type, String envelopeJson) {}
