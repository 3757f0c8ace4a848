package io.pgshuttle.security;

import io.pgshuttle.messages.SealedSecret;
import io.pgshuttle.messages.Secret;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals a secret for one recipient's X25519 public key: a one-time X25519 key pair agrees a shared
 * secret with the recipient's key, HKDF-SHA256 derives an AES-256 key from it, and AES-GCM encrypts
 * the secret, binding the recipient's key id and the one-time public key as associated data. Only
 * the recipient's private key opens it ({@link #unseal}). Thread-safe.
 */
public final class SecretSealer {
  private static final byte[] INFO = "pgshuttle sealed secret v1".getBytes(StandardCharsets.UTF_8);
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final SecureRandom random = new SecureRandom();

  /** {@code secret} sealed for {@code recipient}, an X25519 public key. */
  public SealedSecret seal(Secret secret, PublicKey recipient) {
    KeyId recipientId = KeyId.of(recipient);
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      KeyPair ephemeral = KeyDerivation.ephemeralPair();
      byte[] key = deriveKey(ephemeral.getPrivate(), recipient, ephemeral.getPublic(), recipient);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(
          Cipher.ENCRYPT_MODE,
          new SecretKeySpec(key, "AES"),
          new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(associatedData(recipientId, ephemeral.getPublic().getEncoded()));
      byte[] ciphertext = cipher.doFinal(secret.reveal().getBytes(StandardCharsets.UTF_8));
      Base64.Encoder base64 = Base64.getEncoder();
      return new SealedSecret(
          recipientId.value(),
          base64.encodeToString(ephemeral.getPublic().getEncoded()),
          base64.encodeToString(nonce),
          base64.encodeToString(ciphertext));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot seal a secret for key " + recipientId, e);
    }
  }

  /**
   * Opens {@code sealed} with the recipient's key pair, {@code keys}.
   *
   * @throws SealedSecretException if it was sealed for another key, or altered; the message never
   *     holds any part of the secret
   */
  public static Secret unseal(SealedSecret sealed, KeyPair keys) {
    KeyId own = KeyId.of(keys.getPublic());
    if (!own.value().equals(sealed.recipientKeyId())) {
      throw new SealedSecretException(
          "the secret is sealed for key "
              + sealed.recipientKeyId()
              + ", not this one ("
              + own
              + "): the coordinator holds another public key for this instance");
    }
    try {
      Base64.Decoder base64 = Base64.getDecoder();
      byte[] ephemeralEncoded = base64.decode(sealed.ephemeralPublicKey());
      PublicKey ephemeral =
          KeyFactory.getInstance("X25519").generatePublic(new X509EncodedKeySpec(ephemeralEncoded));
      byte[] key = deriveKey(keys.getPrivate(), ephemeral, ephemeral, keys.getPublic());
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(
          Cipher.DECRYPT_MODE,
          new SecretKeySpec(key, "AES"),
          new GCMParameterSpec(TAG_BITS, base64.decode(sealed.nonce())));
      cipher.updateAAD(associatedData(own, ephemeralEncoded));
      byte[] clear = cipher.doFinal(base64.decode(sealed.ciphertext()));
      return Secret.of(new String(clear, StandardCharsets.UTF_8));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new SealedSecretException(
          "the sealed secret for key " + own + " cannot be opened: it was altered or is malformed");
    }
  }

  /** HKDF-SHA256 of the X25519 shared secret, salted with both public keys. */
  private static byte[] deriveKey(
      PrivateKey own, PublicKey other, PublicKey ephemeral, PublicKey recipient)
      throws GeneralSecurityException {
    // One block of 32 bytes is the whole AES-256 key.
    return KeyDerivation.agree(own, other, KeyDerivation.salt(ephemeral, recipient), INFO);
  }

  private static byte[] associatedData(KeyId recipient, byte[] ephemeralPublicKey) {
    byte[] id = recipient.value().getBytes(StandardCharsets.US_ASCII);
    return ByteBuffer.allocate(id.length + ephemeralPublicKey.length)
        .put(id)
        .put(ephemeralPublicKey)
        .array();
  }
}
