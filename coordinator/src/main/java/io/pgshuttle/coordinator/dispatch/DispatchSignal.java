package io.pgshuttle.coordinator.dispatch;

import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Wakes the dispatch loop when a transaction has made work for it (a new migration, a retry, an
 * event to publish), so that it need not wait for its next poll. Thread-safe.
 */
@Singleton
public final class DispatchSignal {
  private final Semaphore permits = new Semaphore(0);

  /** Asks the loop to look for work now. Cheap; extra calls are merged. */
  public void wake() {
    if (permits.availablePermits() == 0) {
      permits.release();
    }
  }

  /** Waits until {@link #wake()} or the timeout, whichever comes first. */
  void await(Duration timeout) throws InterruptedException {
    permits.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS);
    permits.drainPermits();
  }
}
