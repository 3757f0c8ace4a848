package io.pgshuttle.agent.pipeline;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cancellation of one of two steps that run alongside each other: cancelled when the attempt
 * is, or when {@link #stop} is called because the other step failed. Its hooks then run, so the
 * step's tools are killed as a cancel kills them, and {@link #throwIfCancelled} throws the
 * attempt's cancel if there is one, else the stop. A hook may run twice when it is registered while
 * the stop happens; hooks kill processes, which is harmless twice. Thread-safe.
 */
final class PartnerStop implements Cancellation {
  private static final Logger log = LoggerFactory.getLogger(PartnerStop.class);

  private final Cancellation attempt;
  private final Set<Runnable> hooks = ConcurrentHashMap.newKeySet();
  private volatile String reason;
  private volatile boolean retryable;

  PartnerStop(Cancellation attempt) {
    this.attempt = attempt;
  }

  /**
   * Stops the step and runs its hooks once.
   *
   * @param why the step's error from now on
   * @param retryable whether that error allows another attempt: the failure's that caused the stop
   */
  void stop(String why, boolean retryable) {
    this.retryable = retryable;
    reason = why;
    for (Runnable hook : hooks) {
      runQuietly(hook);
    }
  }

  @Override
  public boolean isCancelled() {
    return attempt.isCancelled() || reason != null;
  }

  @Override
  public void throwIfCancelled() throws StepException {
    attempt.throwIfCancelled();
    String why = reason;
    if (why != null) {
      throw retryable ? new RetryableStepException(why) : new NonRetryableStepException(why);
    }
  }

  @Override
  public Registration onCancel(Runnable onCancel) {
    Registration onAttempt = attempt.onCancel(onCancel);
    hooks.add(onCancel);
    if (reason != null) {
      runQuietly(onCancel);
    }
    return () -> {
      hooks.remove(onCancel);
      onAttempt.close();
    };
  }

  private static void runQuietly(Runnable hook) {
    try {
      hook.run();
    } catch (RuntimeException e) {
      log.warn("a stop hook failed: {}", e.toString());
    }
  }
}
