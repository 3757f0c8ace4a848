package io.pgshuttle.agent.pipeline;

import io.pgshuttle.messages.Event;

/**
 * Where an attempt's events go. The daemon's implementation wraps each event in an envelope with
 * the attempt's migration id, attempt number and next sequence number, and publishes it with
 * confirms. Thread-safe.
 */
public interface EventSink {

  /**
   * Publishes {@code event} for the attempt this sink belongs to. Does not throw: a broker outage
   * is the sink's to ride out, not the step's.
   */
  void emit(Event event);
}
