package io.pgshuttle.coordinator.dispatch;

import com.rabbitmq.client.ShutdownSignalException;
import io.pgshuttle.amqp.AmqpException;
import io.pgshuttle.coordinator.store.StoreException;
import io.pgshuttle.faults.Breakpoints;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread that starts due attempts, a batch at a time and without waiting to fill one: when
 * woken by {@link DispatchSignal}, else every half second, and at once again while a full batch of
 * attempts was started; after each round it has {@value #PUBLISHING_THREADS} publishing threads
 * empty the outbox, a batch each at a time. So while one batch waits for the broker's confirms (for
 * commands to many quorum queues, a few hundred milliseconds under load), the next attempts are
 * started and the next batches published. The outbox keeps each migration's messages in order
 * across the threads (see {@link OutboxPublisher#publishReady}). Broker or store trouble pauses a
 * thread for a second and it tries again; nothing is lost meanwhile, since the work waits in the
 * store. Thread-safe.
 */
@Singleton
public final class DispatchLoop implements AutoCloseable {
  /**
   * Breakpoint after attempts were recorded with their commands in the outbox, before publishing.
   */
  public static final String BREAKPOINT_ATTEMPT_SCHEDULED = "attempt-scheduled";

  /** How many outbox batches may wait for their confirms at once. */
  static final int PUBLISHING_THREADS = 4;

  private static final Logger log = LoggerFactory.getLogger(DispatchLoop.class);
  private static final Duration POLL_INTERVAL = Duration.ofMillis(500);
  private static final Duration PAUSE_AFTER_FAILURE = Duration.ofSeconds(1);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);

  private final AttemptScheduler scheduler;
  private final OutboxPublisher publisher;
  private final DispatchSignal signal;
  private final Breakpoints breakpoints;
  private final Object publishRequests = new Object();
  private long publishRequested; // guarded by publishRequests
  private volatile boolean running;
  private Thread thread;
  private final List<Thread> publishing = new ArrayList<>();

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
    for (int i = 1; i <= PUBLISHING_THREADS; i++) {
      Thread publisherThread = new Thread(this::publish, "pgshuttle-dispatch-publish-" + i);
      publisherThread.setDaemon(true);
      publishing.add(publisherThread);
      publisherThread.start();
    }
    thread.start();
  }

  private void run() {
    while (running) {
      try {
        int started = scheduler.startDueAttempts();
        if (started > 0) {
          breakpoints.reach(BREAKPOINT_ATTEMPT_SCHEDULED);
        }
        requestPublishing();
        if (started < AttemptScheduler.BATCH) {
          // Else more attempts may be due now: no wake-up would come for them.
          signal.await(POLL_INTERVAL);
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        logFailure("dispatch", e);
        pause();
      }
    }
  }

  /** Logs a failed round: broker or store trouble in a line, anything else with its stack. */
  private static void logFailure(String what, RuntimeException e) {
    // ShutdownSignalException: the broker closed the publishing channel (such as for a missing
    // exchange); the publisher opens a new one on the next try.
    if (e instanceof AmqpException
        || e instanceof ShutdownSignalException
        || e instanceof StoreException) {
      log.warn("{} paused for {} ms: {}", what, PAUSE_AFTER_FAILURE.toMillis(), e.getMessage());
    } else {
      log.error("{} failed; trying again in {} ms", what, PAUSE_AFTER_FAILURE.toMillis(), e);
    }
  }

  private void pause() {
    try {
      signal.await(PAUSE_AFTER_FAILURE);
    } catch (InterruptedException e) {
      running = false;
    }
  }

  /** Has every publishing thread empty the outbox, unless it is at it already. */
  private void requestPublishing() {
    synchronized (publishRequests) {
      publishRequested++;
      publishRequests.notifyAll();
    }
  }

  /**
   * A publishing thread: on each request, publishes everything that waits, a batch at a time, while
   * the other threads do the same with the next batches.
   */
  private void publish() {
    long seen = 0;
    while (running) {
      try {
        synchronized (publishRequests) {
          while (running && publishRequested == seen) {
            publishRequests.wait();
          }
          seen = publishRequested;
        }
        while (running && publisher.publishReady() > 0) {
          // Publish everything that waits before waiting again.
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        logFailure("publishing", e);
        sleepAfterFailure();
      }
    }
  }

  /** Pauses a publishing thread; the next request (at most half a second away) resumes it. */
  private void sleepAfterFailure() {
    try {
      Thread.sleep(PAUSE_AFTER_FAILURE.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
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
    synchronized (publishRequests) {
      publishRequests.notifyAll();
    }
    try {
      stop(thread);
      for (Thread publisherThread : publishing) {
        stop(publisherThread);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    thread = null;
    publishing.clear();
  }

  /** Waits for {@code loop} to end after its step in progress, then interrupts it. */
  private static void stop(Thread loop) throws InterruptedException {
    loop.join(STOP_TIMEOUT.toMillis());
    if (loop.isAlive()) {
      loop.interrupt();
      loop.join(STOP_TIMEOUT.toMillis());
    }
  }
}
