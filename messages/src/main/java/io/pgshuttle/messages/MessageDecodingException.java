package io.pgshuttle.messages;

/**
 * A message could not be read: malformed JSON, an unknown type or version, or a missing or invalid
 * field. The message says which. Never retryable: the same bytes fail the same way.
 */
public final class MessageDecodingException extends Exception {
  public MessageDecodingException(String message) {
    super(message);
  }

  public MessageDecodingException(String message, Throwable cause) {
    super(message, cause);
  }
}
