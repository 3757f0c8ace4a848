package io.pgshuttle.iaas;

/**
 * The root of every disk-provider error. Cloud error codes are translated into one of the two
 * subclasses at the edge of each provider.
 */
public abstract sealed class IaasException extends RuntimeException
    permits TransientIaasException, PermanentIaasException {

  protected IaasException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Whether the same call may succeed later without anyone changing anything. */
  public abstract boolean retryable();
}
