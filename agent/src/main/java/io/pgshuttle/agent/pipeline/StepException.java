package io.pgshuttle.agent.pipeline;

/**
 * The root of step failures. The message says what went wrong and what to fix; it never holds a
 * password. {@link #retryable()} tells the coordinator whether another attempt may succeed.
 */
public abstract sealed class StepException extends Exception
    permits RetryableStepException, NonRetryableStepException {

  protected StepException(String message, Throwable cause) {
    super(message, cause);
  }

  public abstract boolean retryable();
}
