package io.pgshuttle.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.SealedSecret;
import io.pgshuttle.messages.Secret;
import java.security.KeyPair;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class SecretSealerTest {
  private static final Secret PASSWORD = Secret.of("correct horse battery staple");

  private final SecretSealer sealer = new SecretSealer();
  private final KeyPair agent = KeyAlgorithm.X25519.generate();

  @Test
  void theRecipientUnsealsWhatWasSealedForIt() {
    SealedSecret sealed = sealer.seal(PASSWORD, agent.getPublic());

    assertThat(sealed.recipientKeyId()).isEqualTo(KeyId.of(agent.getPublic()).value());
    assertThat(SecretSealer.unseal(sealed, agent)).isEqualTo(PASSWORD);
  }

  @Test
  void theSealedFormHoldsNoClearText() throws Exception {
    SealedSecret sealed = sealer.seal(PASSWORD, agent.getPublic());
    String json = MessageCodec.newObjectMapper().writeValueAsString(sealed);

    assertThat(json).doesNotContain(PASSWORD.reveal()).doesNotContain("horse");
    assertThat(sealer.seal(PASSWORD, agent.getPublic()).ciphertext())
        .isNotEqualTo(sealed.ciphertext());
  }

  @Test
  void anotherKeyCannotUnseal() {
    SealedSecret sealed = sealer.seal(PASSWORD, agent.getPublic());
    KeyPair other = KeyAlgorithm.X25519.generate();

    assertThatThrownBy(() -> SecretSealer.unseal(sealed, other))
        .isInstanceOf(SealedSecretException.class)
        .hasMessageContaining("sealed for key " + sealed.recipientKeyId())
        .hasMessageNotContaining(PASSWORD.reveal());
    SealedSecret relabelled =
        new SealedSecret(
            KeyId.of(other.getPublic()).value(),
            sealed.ephemeralPublicKey(),
            sealed.nonce(),
            sealed.ciphertext());
    assertThatThrownBy(() -> SecretSealer.unseal(relabelled, other))
        .isInstanceOf(SealedSecretException.class)
        .hasMessageContaining("altered");
  }

  @Test
  void eachAlteredPartIsRefused() {
    SealedSecret sealed = sealer.seal(PASSWORD, agent.getPublic());
    String otherEphemeral =
        Base64.getEncoder().encodeToString(KeyAlgorithm.X25519.generate().getPublic().getEncoded());
    SealedSecret[] altered = {
      new SealedSecret(
          sealed.recipientKeyId(), otherEphemeral, sealed.nonce(), sealed.ciphertext()),
      new SealedSecret(
          sealed.recipientKeyId(),
          sealed.ephemeralPublicKey(),
          flip(sealed.nonce()),
          sealed.ciphertext()),
      new SealedSecret(
          sealed.recipientKeyId(),
          sealed.ephemeralPublicKey(),
          sealed.nonce(),
          flip(sealed.ciphertext())),
      new SealedSecret(sealed.recipientKeyId(), "not base64!", sealed.nonce(), sealed.ciphertext()),
    };
    for (SealedSecret each : altered) {
      assertThatThrownBy(() -> SecretSealer.unseal(each, agent))
          .isInstanceOf(SealedSecretException.class)
          .hasMessageNotContaining(PASSWORD.reveal());
    }
  }

  private static String flip(String base64) {
    byte[] bytes = Base64.getDecoder().decode(base64);
    bytes[0] ^= 1;
    return Base64.getEncoder().encodeToString(bytes);
  }
}
