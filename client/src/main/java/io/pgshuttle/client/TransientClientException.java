package io.pgshuttle.client;

import java.util.List;

/**
 * The coordinator or the broker cannot be reached, timed out, or answered 5xx, 408 or 429: try the
 * same call again later.
 */
public final class TransientClientException extends PgShuttleClientException {
  public TransientClientException(String message, Throwable cause) {
    super(message, 0, null, List.of(), cause);
  }

  public TransientClientException(String message, int httpStatus, String errorBody) {
    super(message, httpStatus, errorBody, List.of(), null);
  }

  @Override
  public boolean retryable() {
    return true;
  }
}
