package io.pgshuttle.agent.daemon;

import com.rabbitmq.client.ShutdownSignalException;
import io.pgshuttle.agent.AgentConfig;
import io.pgshuttle.amqp.AmqpException;
import io.pgshuttle.amqp.ConfirmingPublisher;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MessageDecodingException;
import io.pgshuttle.messages.Topology;
import io.pgshuttle.security.EventMacKey;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread per agent that carries the {@link EventOutbox} to the broker: it publishes the
 * waiting events in the outbox's order to the events exchange, with confirms, and removes each only
 * after its confirm. When the broker does not confirm (it is down, restarting, or dropped the
 * connection) it waits a second and tries the same event again, for as long as the agent runs; the
 * events behind it wait, so order holds. The connection itself recovers on its own (see {@link
 * io.pgshuttle.amqp.AmqpConnector}).
 *
 * <p>{@link #start} once, {@link #close} once, from any thread. {@link #publishNow} may be called
 * from any thread.
 */
@Singleton
public final class OutboxRelay implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);
  private static final Duration RETRY_INTERVAL = Duration.ofSeconds(1);
  private static final Duration IDLE_CHECK_INTERVAL = Duration.ofSeconds(5);
  private static final Duration DRAIN_ON_CLOSE = Duration.ofSeconds(5);
  private static final Duration STOP_AFTER_INTERRUPT = Duration.ofSeconds(5);

  private final EventOutbox outbox;
  private final Topology topology;
  private final MessageCodec codec;
  private final Object pause = new Object();
  private volatile ConfirmingPublisher publisher;
  private volatile EventMacKey eventKey;
  private volatile boolean stopping;
  private volatile long stopDeadlineNanos;
  private Thread thread; // guarded by this

  @Inject
  OutboxRelay(EventOutbox outbox, AgentConfig config, MessageCodec codec) {
    this(outbox, config.topology(), codec);
  }

  public OutboxRelay(EventOutbox outbox, Topology topology, MessageCodec codec) {
    this.outbox = outbox;
    this.topology = topology;
    this.codec = codec;
  }

  /**
   * Starts publishing, beginning with whatever an earlier process left in the outbox.
   *
   * @param publisher a publisher on a connection that recovers by itself; the relay does not close
   *     it
   * @param eventKey MACs each event as it is published, with the key this agent shares with the
   *     coordinator
   * @throws IllegalStateException if started before
   */
  public synchronized void start(ConfirmingPublisher publisher, EventMacKey eventKey) {
    if (thread != null || stopping) {
      throw new IllegalStateException("an outbox relay starts once");
    }
    outbox.deleteUnfinishedWrites();
    this.eventKey = eventKey;
    this.publisher = publisher;
    thread = new Thread(this::run, "pgshuttle-outbox-relay");
    thread.setDaemon(true);
    thread.start();
    int waiting = outbox.depth();
    if (waiting > 0) {
      log.info("event outbox: {} events left by an earlier run are being published", waiting);
    }
  }

  /**
   * Publishes {@code envelope} once, now, past the outbox: for events that may be lost, such as
   * heartbeats. Never throws.
   *
   * @return whether the broker confirmed it; false also before {@link #start}
   */
  public boolean publishNow(Envelope<Event> envelope) {
    ConfirmingPublisher current = publisher;
    if (current == null || stopping) {
      return false;
    }
    try {
      publishAuthenticated(current, envelope);
      return true;
    } catch (AmqpException | ShutdownSignalException e) {
      log.debug("{} not published: {}", envelope.type(), e.getMessage());
      return false;
    }
  }

  private void run() {
    Outage outage = Outage.NONE;
    try {
      while (!(stopping && pastStopDeadline())) {
        long appends = outbox.appendCount();
        try {
          List<EventOutbox.Entry> pending = outbox.pending();
          if (pending.isEmpty()) {
            if (stopping) {
              return;
            }
            outbox.awaitAppendAfter(appends, IDLE_CHECK_INTERVAL);
            continue;
          }
          outage = publishInOrder(pending, outage);
        } catch (UncheckedIOException e) {
          // A disk problem is no reason to give up on the events: try again as after a broker
          // outage.
          log.error("event outbox: {}; trying again", e.getMessage());
          outage = outage.failed(e, 0);
        }
        if (outage != Outage.NONE) {
          pause(RETRY_INTERVAL);
        }
      }
    } catch (InterruptedException e) {
      // close() ran out of patience: what is left stays in the outbox for the next start.
    } finally {
      logLeftovers();
    }
  }

  private void logLeftovers() {
    try {
      int left = outbox.depth();
      if (left > 0) {
        log.warn(
            "event outbox: {} events not yet published stay in {} for the next start",
            left,
            outbox.directory());
      }
    } catch (UncheckedIOException e) {
      log.warn("event outbox: cannot count what is left: {}", e.getMessage());
    }
  }

  /**
   * Publishes {@code pending} one by one until one fails.
   *
   * @return the outage that stopped it, or {@link Outage#NONE} when all went
   */
  private Outage publishInOrder(List<EventOutbox.Entry> pending, Outage outage)
      throws InterruptedException {
    for (EventOutbox.Entry entry : pending) {
      if (stopping && pastStopDeadline()) {
        return outage;
      }
      Envelope<Event> envelope;
      try {
        envelope = outbox.read(entry);
      } catch (MessageDecodingException e) {
        Path kept = outbox.setAside(entry.file());
        log.error("event outbox: {} holds no readable event; kept as {}", entry.file(), kept, e);
        continue;
      }
      try {
        publishAuthenticated(publisher, envelope);
      } catch (AmqpException | ShutdownSignalException e) {
        if (Thread.currentThread().isInterrupted()) {
          throw new InterruptedException("interrupted while publishing");
        }
        return outage.failed(e, pending.size());
      }
      // Removed only now: had the agent died before the confirm, the event goes out again.
      outbox.remove(entry);
      outage = outage.over();
    }
    return Outage.NONE;
  }

  /**
   * MACed now, not when written to the outbox: an event that waited there out a long outage goes
   * with the key the agent holds now.
   */
  private void publishAuthenticated(ConfirmingPublisher to, Envelope<Event> envelope) {
    byte[] body = codec.encode(envelope);
    to.publish(
        topology.eventsExchange(),
        routingKey(envelope),
        envelope,
        body,
        false,
        eventKey.authenticate(envelope, body));
  }

  private String routingKey(Envelope<Event> envelope) {
    return topology.eventRoutingKey(envelope.instanceId(), envelope.migrationId(), envelope.type());
  }

  private boolean pastStopDeadline() {
    return System.nanoTime() - stopDeadlineNanos > 0;
  }

  private void pause(Duration duration) throws InterruptedException {
    synchronized (pause) {
      if (!stopping) {
        pause.wait(duration.toMillis());
      }
    }
  }

  /**
   * Stops the relay after giving it up to five seconds to publish what waits (such as the events of
   * an attempt that just rolled back). What is left stays in the outbox for the next start.
   * Idempotent.
   */
  @Override
  public void close() {
    close(DRAIN_ON_CLOSE);
  }

  /** As {@link #close()}, with {@code drainFor} instead of five seconds. */
  public void close(Duration drainFor) {
    Thread running;
    synchronized (this) {
      running = thread;
      thread = null;
      stopDeadlineNanos = System.nanoTime() + drainFor.toNanos();
      stopping = true;
    }
    synchronized (pause) {
      pause.notifyAll();
    }
    outbox.wakeWaiters();
    if (running == null) {
      return;
    }
    try {
      running.join(drainFor.toMillis() + 1);
      if (running.isAlive()) {
        // Stuck waiting for a confirm that will not come.
        running.interrupt();
        running.join(STOP_AFTER_INTERRUPT.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Whether, since when and how often publishing has been failing, so that an outage is logged when
   * it begins and when it ends, not every second. A value; NONE when publishing works.
   */
  private record Outage(long sinceNanos, int failures) {
    static final Outage NONE = new Outage(0, 0);

    Outage failed(RuntimeException cause, int waiting) {
      if (this == NONE) {
        log.warn(
            "event outbox: the broker did not take an event ({}); {} events wait, trying again"
                + " every {} s",
            cause.getMessage(),
            waiting,
            RETRY_INTERVAL.toSeconds());
        return new Outage(System.nanoTime(), 1);
      }
      return new Outage(sinceNanos, failures + 1);
    }

    Outage over() {
      if (this != NONE) {
        log.info(
            "event outbox: the broker takes events again after {} s ({} tries)",
            Duration.ofNanos(System.nanoTime() - sinceNanos).toSeconds(),
            failures);
      }
      return NONE;
    }
  }
}
