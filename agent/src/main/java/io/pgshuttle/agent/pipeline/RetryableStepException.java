package io.pgshuttle.agent.pipeline;

/** A failure another attempt may not meet: a lost connection, a server restarting, a full queue. */
public final class RetryableStepException extends StepException {
  public RetryableStepException(String message, Throwable cause) {
    super(message, cause);
  }

  public RetryableStepException(String message) {
    super(message, null);
  }

  @Override
  public boolean retryable() {
    return true;
  }
}
