package io.pgshuttle.client;

import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;

/**
 * Takes the events of a {@link Subscription}. Called on the subscription's own consumer thread, one
 * event at a time, in the order the queue delivers them. Delivery is at least once: an event whose
 * handler did not return before a connection loss comes again, so make handling idempotent, e.g. by
 * (migrationId, attempt, seq).
 */
@FunctionalInterface
public interface EventHandler {
  /**
   * Handles one event; the message is acked when this returns.
   *
   * @param event the decoded event, not null
   * @throws Exception to have the message requeued and delivered again; throw only for a failure
   *     that may pass, since the event comes back at once
   */
  void handle(Envelope<Event> event) throws Exception;
}
