package io.pgshuttle.client;

import java.util.List;

/**
 * The coordinator refused the call (4xx: invalid input, unknown id, a conflict, a missing or
 * insufficient token), or the client was given something it cannot use: a person must change
 * something, as the message says.
 */
public final class PermanentClientException extends PgShuttleClientException {
  public PermanentClientException(String message, Throwable cause) {
    super(message, 0, null, List.of(), cause);
  }

  public PermanentClientException(
      String message, int httpStatus, String errorBody, List<String> problems) {
    super(message, httpStatus, errorBody, problems, null);
  }

  @Override
  public boolean retryable() {
    return false;
  }
}
