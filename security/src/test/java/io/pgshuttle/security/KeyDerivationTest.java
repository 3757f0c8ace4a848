package io.pgshuttle.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.HexFormat;
import javax.crypto.KeyAgreement;
import org.junit.jupiter.api.Test;

/** BouncyCastle's X25519 under KeyDerivation agrees exactly as the JDK's, which sealed before. */
class KeyDerivationTest {
  private static final HexFormat HEX = HexFormat.of();

  private static byte[] jdkSecret(PrivateKey own, PublicKey other) throws Exception {
    KeyAgreement agreement = KeyAgreement.getInstance("X25519");
    agreement.init(own);
    agreement.doPhase(other, true);
    return agreement.generateSecret();
  }

  @Test
  void theSharedSecretIsTheJdksForJdkAndEphemeralKeys() throws Exception {
    for (int i = 0; i < 20; i++) {
      KeyPair jdk = KeyAlgorithm.X25519.generate();
      KeyPair ephemeral = KeyDerivation.ephemeralPair();
      assertThat(KeyDerivation.sharedSecret(ephemeral.getPrivate(), jdk.getPublic()))
          .isEqualTo(jdkSecret(ephemeral.getPrivate(), jdk.getPublic()))
          .isEqualTo(jdkSecret(jdk.getPrivate(), ephemeral.getPublic()))
          .isEqualTo(KeyDerivation.sharedSecret(jdk.getPrivate(), ephemeral.getPublic()));
    }
  }

  /** RFC 7748, section 6.1. */
  @Test
  void theRfcVectorAgrees() throws Exception {
    KeyFactory keys = KeyFactory.getInstance("X25519");
    PrivateKey alice =
        keys.generatePrivate(
            new XECPrivateKeySpec(
                NamedParameterSpec.X25519,
                HEX.parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")));
    byte[] bobU = HEX.parseHex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    byte[] bigEndian = new byte[bobU.length];
    for (int i = 0; i < bobU.length; i++) {
      bigEndian[i] = bobU[bobU.length - 1 - i];
    }
    PublicKey bob =
        keys.generatePublic(
            new XECPublicKeySpec(NamedParameterSpec.X25519, new BigInteger(1, bigEndian)));

    assertThat(HEX.formatHex(KeyDerivation.sharedSecret(alice, bob)))
        .isEqualTo("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
  }

  @Test
  void aKeyOfAnotherAlgorithmIsRefused() {
    KeyPair x25519 = KeyAlgorithm.X25519.generate();
    KeyPair ed25519 = KeyAlgorithm.ED25519.generate();
    assertThatThrownBy(() -> KeyDerivation.sharedSecret(ed25519.getPrivate(), x25519.getPublic()))
        .isInstanceOf(InvalidKeyException.class);
    assertThatThrownBy(() -> KeyDerivation.sharedSecret(x25519.getPrivate(), ed25519.getPublic()))
        .isInstanceOf(InvalidKeyException.class);
  }

  @Test
  void aPublicKeyOfLowOrderIsRefused() throws Exception {
    PublicKey zero =
        KeyFactory.getInstance("X25519")
            .generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, BigInteger.ZERO));
    assertThatThrownBy(
            () -> KeyDerivation.sharedSecret(KeyAlgorithm.X25519.generate().getPrivate(), zero))
        .isInstanceOf(InvalidKeyException.class);
  }
}
