package io.pgshuttle.coordinator.http;

/**
 * Thrown by a handler, or by {@link ApiRequest}, for input the client must fix: {@link HttpApi}
 * answers 400 {@code {"error": message}}. The message says what to fix and never holds a secret.
 */
public final class BadRequest extends RuntimeException {
  public BadRequest(String message) {
    super(message);
  }
}
