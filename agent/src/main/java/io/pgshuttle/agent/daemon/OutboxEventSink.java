package io.pgshuttle.agent.daemon;

import io.pgshuttle.agent.pipeline.EventSink;
import io.pgshuttle.messages.AgentHeartbeat;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.StepFailed;
import io.pgshuttle.messages.StepStarted;
import io.pgshuttle.messages.StepSucceeded;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt's events: each is numbered, put in its envelope and written to the {@link
 * EventOutbox}, from which the {@link OutboxRelay} publishes it; {@link #emit} returns once the
 * event is on disk, whether or not the broker is reachable. Heartbeats alone skip the outbox: they
 * are published once, now, and lost if the broker is away (a late heartbeat says nothing).
 *
 * <p>Sequence numbers start from the wall clock in milliseconds times 1000, so a sink made after an
 * agent restart numbers above every event the attempt sent before. Numbering and writing happen
 * under one lock, so the outbox never holds a later event of the attempt without the earlier ones.
 * Thread-safe: two steps running alongside each other emit from their own threads, and the
 * heartbeat thread reads {@link #currentStep}.
 */
public final class OutboxEventSink implements EventSink {
  private static final Logger log = LoggerFactory.getLogger(OutboxEventSink.class);

  private final EventOutbox outbox;
  private final OutboxRelay relay;
  private final String instanceId;
  private final MigrationId migrationId;
  private final int attempt;
  private long seq; // guarded by this
  private final Deque<Step> runningSteps =
      new ArrayDeque<>(); // guarded by itself; last started last
  private Step lastStarted; // guarded by runningSteps

  public OutboxEventSink(
      EventOutbox outbox,
      OutboxRelay relay,
      String instanceId,
      MigrationId migrationId,
      int attempt,
      Clock clock) {
    this.outbox = outbox;
    this.relay = relay;
    this.instanceId = instanceId;
    this.migrationId = migrationId;
    this.attempt = attempt;
    this.seq = clock.millis() * 1000;
  }

  /**
   * The step the attempt is in, for heartbeats: of the steps running (two while one runs alongside
   * the next), the one that started last; between steps the one that started last; null before the
   * first.
   */
  public Step currentStep() {
    synchronized (runningSteps) {
      return runningSteps.isEmpty() ? lastStarted : runningSteps.peekLast();
    }
  }

  @Override
  public void emit(Event event) {
    trackSteps(event);
    if (event instanceof AgentHeartbeat) {
      relay.publishNow(envelope(event));
      return;
    }
    synchronized (this) {
      Envelope<Event> envelope = envelope(event);
      try {
        outbox.append(envelope);
      } catch (UncheckedIOException e) {
        // EventSink promises not to throw: a step must not fail because its report cannot be
        // written. The coordinator learns of the attempt from its later events, or its silence.
        log.error(
            "lost event {} of migration {} attempt {}: {}",
            envelope.type(),
            migrationId,
            attempt,
            e.getMessage());
      }
    }
  }

  private void trackSteps(Event event) {
    synchronized (runningSteps) {
      if (event instanceof StepStarted started) {
        runningSteps.addLast(started.step());
        lastStarted = started.step();
      } else if (event instanceof StepSucceeded succeeded) {
        runningSteps.remove(succeeded.step());
      } else if (event instanceof StepFailed failed) {
        runningSteps.remove(failed.step());
      }
    }
  }

  private synchronized Envelope<Event> envelope(Event event) {
    return Envelope.of(instanceId, migrationId, attempt, ++seq, event);
  }
}
