package io.pgshuttle.security;

import java.util.Objects;

/** A message whose signature does not hold; {@link #reason()} says why. Never retryable. */
public final class SignatureRefusedException extends RuntimeException {
  /** Why a signature was refused. */
  public enum Reason {
    /** No signature headers at all. */
    UNSIGNED,
    /** Signed by a key that is not trusted (or not the sender's). */
    UNKNOWN_KEY,
    /** Malformed, or does not match the message: it was changed after signing. */
    BAD_SIGNATURE,
    /** Past its expiry, or issued in the future beyond the allowed clock skew. */
    EXPIRED
  }

  private final Reason reason;

  public SignatureRefusedException(Reason reason, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public Reason reason() {
    return reason;
  }
}
