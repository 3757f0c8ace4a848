package io.pgshuttle.agent.transfer;

import io.pgshuttle.agent.pipeline.Cancellation;
import io.pgshuttle.agent.pipeline.RetryableStepException;
import io.pgshuttle.agent.pipeline.StepException;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A lock and its condition: changes made under it wake every waiter, and a waiter waits without
 * polling until what it waits for is there or the attempt is cancelled. Thread-safe.
 */
final class Monitor {
  /** What the waiter looks for under the lock: empty to wait on; may throw to stop waiting. */
  interface Probe<T> {
    Optional<T> find() throws StepException;
  }

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();

  /** Waits until {@code probe} finds something, and returns it. */
  <T> T await(Cancellation cancellation, String waitingFor, Probe<T> probe) throws StepException {
    try (Cancellation.Registration ignored = cancellation.onCancel(() -> update(() -> {}))) {
      lock.lock();
      try {
        while (true) {
          cancellation.throwIfCancelled();
          Optional<T> found = probe.find();
          if (found.isPresent()) {
            return found.get();
          }
          changed.await();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RetryableStepException("interrupted while waiting for " + waitingFor, e);
      } finally {
        lock.unlock();
      }
    }
  }

  /** Makes {@code change} under the lock and wakes the waiters. */
  void update(Runnable change) {
    lock.lock();
    try {
      change.run();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
