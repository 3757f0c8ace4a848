package io.pgshuttle.client;

import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;

/**
 * One event from a Server-Sent Events stream. Immutable.
 *
 * @param position the store-wide position of the event (the SSE {@code id}); resuming after it
 *     gives the events that follow
 * @param type the event's type, such as {@code StepStarted}
 * @param envelope the event as the coordinator stored it, decoded; not null
 */
public record StreamedEvent(long position, String type, Envelope<Event> envelope) {}
