package io.pgshuttle.coordinator.dispatch;

import com.rabbitmq.client.ShutdownSignalException;
import io.pgshuttle.amqp.AmqpException;
import io.pgshuttle.coordinator.store.StoreException;
import io.pgshuttle.faults.Breakpoints;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread that starts due attempts and empties the outbox, a batch at a time and without waiting
 * to fill one: when woken by {@link DispatchSignal}, else every half second, and at once again
 * while a full batch of attempts was started. Broker or store trouble pauses it for a second and it
 * tries again; nothing is lost meanwhile, since the work waits in the store. Thread-safe.
 */
@Singleton
public final class DispatchLoop implements AutoCloseable {
  /**
   * Breakpoint after attempts were recorded with their commands in the outbox, before publishing.
   */
  public static final String BREAKPOINT_ATTEMPT_SCHEDULED = "attempt-scheduled";

  private static final Logger log = LoggerFactory.getLogger(DispatchLoop.class);
  private static final Duration POLL_INTERVAL = Duration.ofMillis(500);
  private static final Duration PAUSE_AFTER_FAILURE = Duration.ofSeconds(1);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);

  private final AttemptScheduler scheduler;
  private final OutboxPublisher publisher;
  private final DispatchSignal signal;
  private final Breakpoints breakpoints;
  private volatile boolean running;
  private Thread thread;

  @Inject
  public DispatchLoop(
      AttemptScheduler scheduler,
      OutboxPublisher publisher,
      DispatchSignal signal,
      Breakpoints breakpoints) {
    this.scheduler = scheduler;
    this.publisher = publisher;
    this.signal = signal;
    this.breakpoints = breakpoints;
  }

  public synchronized void start() {
    if (thread != null) {
      throw new IllegalStateException("the dispatch loop runs already");
    }
    running = true;
    thread = new Thread(this::run, "pgshuttle-dispatch");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    while (running) {
      try {
        int started = scheduler.startDueAttempts();
        if (started > 0) {
          breakpoints.reach(BREAKPOINT_ATTEMPT_SCHEDULED);
        }
        while (running && publisher.publishReady() > 0) {
          // Publish everything that waits before sleeping again, a batch at a time.
        }
        if (started < AttemptScheduler.BATCH) {
          // Else more attempts may be due now: no wake-up would come for them.
          signal.await(POLL_INTERVAL);
        }
      } catch (InterruptedException e) {
        return;
      } catch (AmqpException | ShutdownSignalException | StoreException e) {
        // ShutdownSignalException: the broker closed the publishing channel (such as for a missing
        // exchange); the publisher opens a new one on the next try.
        log.warn("dispatch paused for {} ms: {}", PAUSE_AFTER_FAILURE.toMillis(), e.getMessage());
        pause();
      } catch (RuntimeException e) {
        log.error("dispatch failed; trying again in {} ms", PAUSE_AFTER_FAILURE.toMillis(), e);
        pause();
      }
    }
  }

  private void pause() {
    try {
      signal.await(PAUSE_AFTER_FAILURE);
    } catch (InterruptedException e) {
      running = false;
    }
  }

  /** Stops the loop after the step in progress; idempotent. */
  @Override
  public synchronized void close() {
    running = false;
    if (thread == null) {
      return;
    }
    signal.wake();
    try {
      thread.join(STOP_TIMEOUT.toMillis());
      if (thread.isAlive()) {
        thread.interrupt();
        thread.join(STOP_TIMEOUT.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    thread = null;
  }
}
