package io.pgshuttle.agent.pipeline;

/**
 * A failure that another attempt would meet again until a person acts: wrong password, version
 * mismatch, a target database that exists, a VERIFY mismatch, a cancel.
 */
public final class NonRetryableStepException extends StepException {
  public NonRetryableStepException(String message, Throwable cause) {
    super(message, cause);
  }

  public NonRetryableStepException(String message) {
    super(message, null);
  }

  @Override
  public boolean retryable() {
    return false;
  }
}
