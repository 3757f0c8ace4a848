package io.pgshuttle.messages;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * A secret encrypted for one recipient's X25519 public key, as it travels and rests: only the
 * holder of the matching private key can read it (see {@code io.pgshuttle.security.SecretSealer}).
 * Each value is base64 text, so the record compares by value and prints nothing secret.
 *
 * @param recipientKeyId the key id of the recipient's public key, so that a recipient can tell a
 *     secret sealed for a key it no longer holds
 * @param ephemeralPublicKey the sender's one-time X25519 public key (X.509, base64)
 * @param nonce the AES-GCM nonce (base64)
 * @param ciphertext the AES-256-GCM ciphertext with its tag (base64)
 */
public record SealedSecret(
    @JsonProperty(required = true) String recipientKeyId,
    @JsonProperty(required = true) String ephemeralPublicKey,
    @JsonProperty(required = true) String nonce,
    @JsonProperty(required = true) String ciphertext) {

  public SealedSecret {
    Objects.requireNonNull(recipientKeyId, "recipientKeyId");
    Objects.requireNonNull(ephemeralPublicKey, "ephemeralPublicKey");
    Objects.requireNonNull(nonce, "nonce");
    Objects.requireNonNull(ciphertext, "ciphertext");
  }
}
