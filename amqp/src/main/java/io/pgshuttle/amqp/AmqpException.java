package io.pgshuttle.amqp;

/**
 * The broker could not be reached or did not confirm a publish. Retryable: the broker may be back
 * in a moment, and publishing is idempotent by message id on the consumers' side.
 */
public final class AmqpException extends RuntimeException {
  public AmqpException(String message, Throwable cause) {
    super(message, cause);
  }

  public AmqpException(String message) {
    super(message);
  }

  /** Always true: broker trouble passes. */
  public boolean retryable() {
    return true;
  }
}
