package io.pgshuttle.agent.steps;

import io.pgshuttle.agent.pipeline.EventSink;
import io.pgshuttle.messages.AttemptFailed;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.MigrationSucceeded;
import java.util.ArrayList;
import java.util.List;

/** Keeps the events of an attempt, in order. Thread-safe. */
final class RecordingEventSink implements EventSink {
  private final List<Event> events = new ArrayList<>();

  @Override
  public synchronized void emit(Event event) {
    events.add(event);
  }

  synchronized List<Event> events() {
    return List.copyOf(events);
  }

  <E extends Event> List<E> of(Class<E> type) {
    return events().stream().filter(type::isInstance).map(type::cast).toList();
  }

  AttemptFailed attemptFailed() {
    List<AttemptFailed> failures = of(AttemptFailed.class);
    if (failures.size() != 1) {
      throw new AssertionError("expected one AttemptFailed, got " + events());
    }
    return failures.get(0);
  }

  MigrationSucceeded migrationSucceeded() {
    List<MigrationSucceeded> successes = of(MigrationSucceeded.class);
    if (successes.size() != 1) {
      throw new AssertionError("expected one MigrationSucceeded, got " + events());
    }
    return successes.get(0);
  }
}
