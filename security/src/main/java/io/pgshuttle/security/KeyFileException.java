package io.pgshuttle.security;

/**
 * A key file that is missing, unreadable, of the wrong kind or too open; the message says which.
 */
public final class KeyFileException extends RuntimeException {
  public KeyFileException(String message) {
    super(message);
  }

  public KeyFileException(String message, Throwable cause) {
    super(message, cause);
  }
}
