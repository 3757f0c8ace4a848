package io.pgshuttle.security;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.XECPrivateKey;
import java.security.interfaces.XECPublicKey;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * X25519 agreement and HKDF-SHA256 (RFC 5869), shared by {@link SecretSealer} and {@link
 * EventMacKey}. The X25519 arithmetic is BouncyCastle's, on the JDK's key objects: JDK 17's took
 * about 60 % of the coordinator's intake thread (an ephemeral key pair and an agreement for each
 * request's sealed password), BouncyCastle's is several times faster with the same results (RFC
 * 7748 is deterministic). Stateless.
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
    byte[] shared = sharedSecret(own, other);
    Mac extract = Mac.getInstance("HmacSHA256");
    extract.init(new SecretKeySpec(salt, "HmacSHA256"));
    byte[] prk = extract.doFinal(shared);
    Mac expand = Mac.getInstance("HmacSHA256");
    expand.init(new SecretKeySpec(prk, "HmacSHA256"));
    expand.update(info);
    expand.update((byte) 1);
    return expand.doFinal();
  }

  /**
   * The X25519 shared secret of {@code own} and {@code other} (RFC 7748), as the JDK's {@code
   * KeyAgreement} gives it.
   *
   * @throws InvalidKeyException if a key is not X25519, or the public key is of low order
   */
  static byte[] sharedSecret(PrivateKey own, PublicKey other) throws InvalidKeyException {
    byte[] shared = new byte[X25519.POINT_SIZE];
    if (!X25519.calculateAgreement(scalar(own), 0, u(other), 0, shared, 0)) {
      throw new InvalidKeyException("the X25519 keys do not agree: a public key of low order");
    }
    return shared;
  }

  /** A new X25519 key pair, as the JDK's key objects. */
  static KeyPair ephemeralPair() throws GeneralSecurityException {
    byte[] scalar = new byte[X25519.SCALAR_SIZE];
    X25519.generatePrivateKey(new SecureRandom(), scalar);
    byte[] u = new byte[X25519.POINT_SIZE];
    X25519.generatePublicKey(scalar, 0, u, 0);
    byte[] bigEndian = new byte[u.length];
    for (int i = 0; i < u.length; i++) {
      bigEndian[i] = u[u.length - 1 - i];
    }
    KeyFactory keys = KeyFactory.getInstance("X25519");
    return new KeyPair(
        keys.generatePublic(
            new XECPublicKeySpec(NamedParameterSpec.X25519, new BigInteger(1, bigEndian))),
        keys.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, scalar)));
  }

  /** The private key's 32 bytes as RFC 7748 encodes them. */
  private static byte[] scalar(PrivateKey key) throws InvalidKeyException {
    if (key instanceof XECPrivateKey xec && isX25519(xec.getParams())) {
      byte[] scalar = xec.getScalar().orElseThrow(() -> new InvalidKeyException("no scalar"));
      if (scalar.length == X25519.SCALAR_SIZE) {
        return scalar;
      }
    }
    throw new InvalidKeyException("not an X25519 private key");
  }

  /** The public key's u-coordinate, little-endian in 32 bytes as RFC 7748 encodes it. */
  private static byte[] u(PublicKey key) throws InvalidKeyException {
    if (key instanceof XECPublicKey xec && isX25519(xec.getParams())) {
      byte[] bigEndian = xec.getU().toByteArray();
      int length = bigEndian.length - (bigEndian[0] == 0 ? 1 : 0);
      if (xec.getU().signum() >= 0 && length <= X25519.POINT_SIZE) {
        byte[] u = new byte[X25519.POINT_SIZE];
        for (int i = 0; i < length; i++) {
          u[i] = bigEndian[bigEndian.length - 1 - i];
        }
        return u;
      }
    }
    throw new InvalidKeyException("not an X25519 public key");
  }

  private static boolean isX25519(AlgorithmParameterSpec params) {
    return params instanceof NamedParameterSpec named && named.getName().equalsIgnoreCase("X25519");
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
