package io.pgshuttle.security;

/** A sealed secret that cannot be opened here; the message says why, never what it holds. */
public final class SealedSecretException extends RuntimeException {
  public SealedSecretException(String message) {
    super(message);
  }
}
