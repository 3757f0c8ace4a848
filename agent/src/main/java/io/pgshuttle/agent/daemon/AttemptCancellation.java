package io.pgshuttle.agent.daemon;

import io.pgshuttle.agent.pipeline.Cancellation;
import io.pgshuttle.agent.pipeline.NonRetryableStepException;
import io.pgshuttle.agent.pipeline.RetryableStepException;
import io.pgshuttle.agent.pipeline.StepException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The cancellation state of one attempt. Thread-safe. */
public final class AttemptCancellation implements Cancellation {
  private static final Logger log = LoggerFactory.getLogger(AttemptCancellation.class);

  private final Set<Runnable> hooks = ConcurrentHashMap.newKeySet();
  private volatile String reason;
  private volatile boolean retryable;

  /**
   * Cancels the attempt and runs every registered hook once.
   *
   * @param retryable false for a person's cancel (the migration ends); true when the agent stops
   *     and the coordinator should try again
   */
  public void cancel(String why, boolean retryable) {
    this.retryable = retryable;
    reason = why == null || why.isBlank() ? "cancelled" : why;
    for (Runnable hook : hooks) {
      runQuietly(hook);
    }
  }

  @Override
  public boolean isCancelled() {
    return reason != null;
  }

  @Override
  public void throwIfCancelled() throws StepException {
    String why = reason;
    if (why != null) {
      throw retryable
          ? new RetryableStepException("attempt stopped: " + why)
          : new NonRetryableStepException("migration cancelled: " + why);
    }
  }

  @Override
  public Registration onCancel(Runnable onCancel) {
    hooks.add(onCancel);
    if (isCancelled()) {
      runQuietly(onCancel);
    }
    return () -> hooks.remove(onCancel);
  }

  private static void runQuietly(Runnable hook) {
    try {
      hook.run();
    } catch (RuntimeException e) {
      log.warn("a cancel hook failed: {}", e.toString());
    }
  }
}
