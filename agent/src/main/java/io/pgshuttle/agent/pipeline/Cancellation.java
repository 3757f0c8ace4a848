package io.pgshuttle.agent.pipeline;

/**
 * Whether the attempt was cancelled. A step that starts a process or a long query registers a hook
 * that stops it; the hook runs at once if the attempt is already cancelled. Thread-safe.
 */
public interface Cancellation {

  boolean isCancelled();

  /** Throws a non-retryable {@link StepException} if the attempt was cancelled. */
  void throwIfCancelled() throws StepException;

  /** Runs {@code onCancel} when the attempt is cancelled, until the returned handle is closed. */
  Registration onCancel(Runnable onCancel);

  /** Ends a registration; closing twice is harmless. */
  interface Registration extends AutoCloseable {
    @Override
    void close();
  }
}
