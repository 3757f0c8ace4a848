package io.pgshuttle.security;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Names a public key: the first 16 bytes of the SHA-256 of its X.509 encoding, in hex. Two keys
 * with the same id are the same key, for all practical purposes.
 */
public record KeyId(String value) {
  private static final int BYTES = 16;

  public KeyId {
    Objects.requireNonNull(value, "value");
  }

  /** The id of {@code key}. */
  public static KeyId of(PublicKey key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
      return new KeyId(HexFormat.of().formatHex(digest, 0, BYTES));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK has no SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return value;
  }
}
