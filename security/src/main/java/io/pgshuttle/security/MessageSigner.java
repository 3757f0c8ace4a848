package io.pgshuttle.security;

import io.pgshuttle.messages.Envelope;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.interfaces.EdECPrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * Signs messages with one Ed25519 private key: the coordinator its commands and its own events
 * (agents authenticate theirs with an {@link EventMacKey}). Thread-safe (each signature uses a
 * signer of its own).
 *
 * <p>Signs with BouncyCastle's Ed25519, not the JDK's: the dispatch thread signs every command, and
 * on the project's machines the JDK 17 implementation took 0.65-1.1 ms per signature against
 * 0.07-0.12 ms (bench/README.md). Ed25519 signatures are deterministic, so both give the same bytes
 * and every verifier (the JDK's, in {@link MessageVerifier}) accepts them.
 */
public final class MessageSigner {
  private final Ed25519PrivateKeyParameters privateKey;
  private final PublicKey publicKey;
  private final KeyId keyId;
  private final Clock clock;
  private final Duration validity;

  /**
   * @param keys the key pair; its public key names the key in each signature
   * @param validity how long after signing a message is accepted
   */
  public MessageSigner(KeyPair keys, Clock clock, Duration validity) {
    if (!(keys.getPrivate() instanceof EdECPrivateKey edPrivate)) {
      throw new IllegalArgumentException(
          "not an Ed25519 private key ("
              + keys.getPrivate().getAlgorithm()
              + "): give the signer the key pair of an Ed25519 key file");
    }
    this.privateKey =
        new Ed25519PrivateKeyParameters(
            edPrivate
                .getBytes()
                .orElseThrow(
                    () ->
                        new IllegalArgumentException(
                            "the Ed25519 private key hides its bytes: load it from its key file")),
            0);
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
    Ed25519Signer signature = new Ed25519Signer();
    signature.init(true, privateKey);
    byte[] canonical = fields.canonicalForm();
    signature.update(canonical, 0, canonical.length);
    String value = Base64.getEncoder().encodeToString(signature.generateSignature());
    return new MessageSignature(keyId, issuedAt, expiresAt, value).toHeaders();
  }
}
