package io.pgshuttle.security;

import io.pgshuttle.messages.Envelope;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

/**
 * Signs messages with one Ed25519 private key: the coordinator its commands and its own events
 * (agents authenticate theirs with an {@link EventMacKey}). Thread-safe (each signature uses a
 * {@link Signature} of its own).
 */
public final class MessageSigner {
  private final PrivateKey privateKey;
  private final PublicKey publicKey;
  private final KeyId keyId;
  private final Clock clock;
  private final Duration validity;

  /**
   * @param keys the key pair; its public key names the key in each signature
   * @param validity how long after signing a message is accepted
   */
  public MessageSigner(KeyPair keys, Clock clock, Duration validity) {
    this.privateKey = keys.getPrivate();
    this.publicKey = keys.getPublic();
    this.keyId = KeyId.of(publicKey);
    this.clock = clock;
    this.validity = validity;
  }

  /** The public key that verifies this signer's signatures. */
  public PublicKey publicKey() {
    return publicKey;
  }

  /** The id of the key this signer signs with. */
  public KeyId keyId() {
    return keyId;
  }

  /**
   * Signs {@code envelope}, published as {@code body} (its encoding), now.
   *
   * @return the AMQP headers to publish it with
   */
  public Map<String, Object> sign(Envelope<?> envelope, byte[] body) {
    Instant issuedAt = clock.instant();
    Instant expiresAt = issuedAt.plus(validity);
    SignedFields fields = SignedFields.of(envelope, body, issuedAt, expiresAt);
    try {
      Signature signature = Signature.getInstance("Ed25519");
      signature.initSign(privateKey);
      signature.update(fields.canonicalForm());
      String value = Base64.getEncoder().encodeToString(signature.sign());
      return new MessageSignature(keyId, issuedAt, expiresAt, value).toHeaders();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign with the Ed25519 key " + keyId, e);
    }
  }
}
