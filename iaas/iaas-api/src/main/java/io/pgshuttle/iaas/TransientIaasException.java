package io.pgshuttle.iaas;

/** Throttling, a timeout, a server error or a resource in a passing state: try again later. */
public final class TransientIaasException extends IaasException {
  public TransientIaasException(String message, Throwable cause) {
    super(message, cause);
  }

  public TransientIaasException(String message) {
    super(message, null);
  }

  @Override
  public boolean retryable() {
    return true;
  }
}
