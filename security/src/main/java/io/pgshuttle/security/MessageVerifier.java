package io.pgshuttle.security;

import io.pgshuttle.messages.Envelope;
import io.pgshuttle.security.SignatureRefusedException.Reason;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Verifies Ed25519 signatures against a set of trusted public keys: an agent holds the
 * coordinator's (two during a rotation), the coordinator its own (for the events it publishes
 * itself). Thread-safe.
 */
public final class MessageVerifier {
  /** How far in the future a signature's issue time may be, for clocks that differ. */
  public static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

  private final Map<KeyId, PublicKey> trusted = new LinkedHashMap<>();
  private final Clock clock;

  /** Trusts {@code keys}; an empty collection trusts nothing. */
  public MessageVerifier(Collection<PublicKey> keys, Clock clock) {
    for (PublicKey key : keys) {
      trusted.put(KeyId.of(key), key);
    }
    this.clock = clock;
  }

  /**
   * Checks that {@code envelope}, received as {@code body} with {@code headers}, carries a valid
   * signature of a trusted key; {@code checkExpiry} also refuses one past its expiry time
   * (commands; events are checked for their signer only, since they may wait out a coordinator
   * outage).
   *
   * @return the verified signature
   * @throws SignatureRefusedException saying why the message must be refused
   */
  public MessageSignature verify(
      Envelope<?> envelope, byte[] body, Map<String, Object> headers, boolean checkExpiry) {
    MessageSignature signature =
        MessageSignature.fromHeaders(headers)
            .orElseThrow(
                () -> new SignatureRefusedException(Reason.UNSIGNED, "the message is not signed"));
    PublicKey key = trusted.get(signature.keyId());
    if (key == null) {
      throw new SignatureRefusedException(
          Reason.UNKNOWN_KEY,
          "signed by key "
              + signature.keyId()
              + ", which is not trusted here (trusted: "
              + trusted.keySet()
              + ")");
    }
    SignedFields fields =
        SignedFields.of(envelope, body, signature.issuedAt(), signature.expiresAt());
    if (!matches(key, fields, signature.value())) {
      throw new SignatureRefusedException(
          Reason.BAD_SIGNATURE, "the signature does not match the message: it was altered");
    }
    if (checkExpiry) {
      Instant now = clock.instant();
      if (now.isAfter(signature.expiresAt())) {
        throw new SignatureRefusedException(
            Reason.EXPIRED, "the message expired at " + signature.expiresAt());
      }
      if (signature.issuedAt().isAfter(now.plus(CLOCK_SKEW))) {
        throw new SignatureRefusedException(
            Reason.EXPIRED,
            "the message claims to be issued at "
                + signature.issuedAt()
                + ", in the future: check the clocks");
      }
    }
    return signature;
  }

  private static boolean matches(PublicKey key, SignedFields fields, String value) {
    try {
      Signature verifier = Signature.getInstance("Ed25519");
      verifier.initVerify(key);
      verifier.update(fields.canonicalForm());
      return verifier.verify(Base64.getDecoder().decode(value));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }
}
