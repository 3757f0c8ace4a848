package io.pgshuttle.coordinator.store;

/**
 * The status store could not be reached, or a transaction lost a conflict with another: trying
 * again later may succeed.
 */
public final class TransientStoreException extends StoreException {
  public TransientStoreException(String message, String sqlState, Throwable cause) {
    super(message, sqlState, cause);
  }

  @Override
  public boolean retryable() {
    return true;
  }
}
