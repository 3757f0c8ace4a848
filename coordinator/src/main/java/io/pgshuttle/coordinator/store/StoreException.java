package io.pgshuttle.coordinator.store;

/**
 * The status store refused or failed an operation. Not retryable: the same operation fails the same
 * way (see {@link TransientStoreException} for the kind that passes). Messages name the store by
 * its location, never with credentials.
 */
public class StoreException extends RuntimeException {
  private final String sqlState;

  public StoreException(String message, String sqlState, Throwable cause) {
    super(message, cause);
    this.sqlState = sqlState;
  }

  /** The SQLSTATE PostgreSQL reported, or null when the failure was not an SQL error. */
  public String sqlState() {
    return sqlState;
  }

  /** Whether trying the same operation later may succeed. */
  public boolean retryable() {
    return false;
  }
}
