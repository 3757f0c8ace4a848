package io.pgshuttle.iaas;

/**
 * Authorization, quota, bad configuration (zone, type, disk root): a person must change something.
 * The message says what.
 */
public final class PermanentIaasException extends IaasException {
  public PermanentIaasException(String message, Throwable cause) {
    super(message, cause);
  }

  public PermanentIaasException(String message) {
    super(message, null);
  }

  @Override
  public boolean retryable() {
    return false;
  }
}
