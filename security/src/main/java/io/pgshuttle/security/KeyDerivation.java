package io.pgshuttle.security;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * X25519 agreement and HKDF-SHA256 (RFC 5869), shared by {@link SecretSealer} and {@link
 * EventMacKey}. Stateless.
 */
final class KeyDerivation {
  private KeyDerivation() {}

  /**
   * HKDF-SHA256 of the X25519 secret {@code own} agrees with {@code other}: one block, 32 bytes.
   *
   * @throws GeneralSecurityException if the keys do not agree (a low-order public key, say)
   */
  static byte[] agree(PrivateKey own, PublicKey other, byte[] salt, byte[] info)
      throws GeneralSecurityException {
    KeyAgreement agreement = KeyAgreement.getInstance("X25519");
    agreement.init(own);
    agreement.doPhase(other, true);
    byte[] shared = agreement.generateSecret();
    Mac extract = Mac.getInstance("HmacSHA256");
    extract.init(new SecretKeySpec(salt, "HmacSHA256"));
    byte[] prk = extract.doFinal(shared);
    Mac expand = Mac.getInstance("HmacSHA256");
    expand.init(new SecretKeySpec(prk, "HmacSHA256"));
    expand.update(info);
    expand.update((byte) 1);
    return expand.doFinal();
  }

  /** The encodings of {@code first} and {@code second} one after the other, as a salt. */
  static byte[] salt(PublicKey first, PublicKey second) {
    byte[] a = first.getEncoded();
    byte[] b = second.getEncoded();
    byte[] both = new byte[a.length + b.length];
    System.arraycopy(a, 0, both, 0, a.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }
}
