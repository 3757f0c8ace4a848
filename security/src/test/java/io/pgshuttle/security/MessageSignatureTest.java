package io.pgshuttle.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgshuttle.messages.CancelMigration;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.security.SignatureRefusedException.Reason;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class MessageSignatureTest {
  private static final Instant NOW = Instant.parse("2026-01-01T10:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  private final MessageCodec codec = new MessageCodec();
  private final KeyPair coordinator = KeyAlgorithm.ED25519.generate();
  private final MessageSigner signer =
      new MessageSigner(coordinator, CLOCK, Duration.ofMinutes(10));
  private final MessageVerifier verifier =
      new MessageVerifier(List.of(coordinator.getPublic()), CLOCK);
  private final Envelope<CancelMigration> envelope =
      new Envelope<>(
          UUID.randomUUID(),
          "vm-1",
          new MigrationId(UUID.randomUUID()),
          2,
          0,
          NOW,
          new CancelMigration("vm-1", "operator asked"));
  private final byte[] body = codec.encode(envelope);
  private final Map<String, Object> headers = signer.sign(envelope, body);

  @Test
  void aSignedMessageVerifies() {
    MessageSignature signature = verifier.verify(envelope, body, headers, true);

    assertThat(signature.keyId()).isEqualTo(KeyId.of(coordinator.getPublic()));
    assertThat(signature.expiresAt()).isEqualTo(NOW.plus(Duration.ofMinutes(10)));
  }

  @Test
  void theSignatureIsTheOneTheJdksEd25519MakesForTheSameFields() throws Exception {
    // Ed25519 is deterministic: the signer's BouncyCastle gives the JDK's bytes, so every
    // verifier that knew the JDK's signatures knows these.
    SignedFields fields = SignedFields.of(envelope, body, NOW, NOW.plus(Duration.ofMinutes(10)));
    Signature jdk = Signature.getInstance("Ed25519");
    jdk.initSign(coordinator.getPrivate());
    jdk.update(fields.canonicalForm());

    assertThat(headers.get(MessageSignature.SIGNATURE))
        .isEqualTo(Base64.getEncoder().encodeToString(jdk.sign()));
  }

  @Test
  void eachSignedHeaderFieldOfTheEnvelopeIsCovered() {
    List<Envelope<CancelMigration>> tampered =
        List.of(
            new Envelope<>(
                UUID.randomUUID(), "vm-1", envelope.migrationId(), 2, 0, NOW, envelope.payload()),
            new Envelope<>(
                envelope.messageId(),
                "vm-2",
                envelope.migrationId(),
                2,
                0,
                NOW,
                envelope.payload()),
            new Envelope<>(
                envelope.messageId(),
                "vm-1",
                new MigrationId(UUID.randomUUID()),
                2,
                0,
                NOW,
                envelope.payload()),
            new Envelope<>(
                envelope.messageId(),
                "vm-1",
                envelope.migrationId(),
                3,
                0,
                NOW,
                envelope.payload()));
    for (Envelope<CancelMigration> other : tampered) {
      assertRefused(() -> verifier.verify(other, body, headers, true), Reason.BAD_SIGNATURE);
    }
  }

  @Test
  void aChangedBodyIsRefused() {
    byte[] changed =
        new String(body, StandardCharsets.UTF_8)
            .replace("operator asked", "operator asker")
            .getBytes(StandardCharsets.UTF_8);

    assertRefused(() -> verifier.verify(envelope, changed, headers, true), Reason.BAD_SIGNATURE);
  }

  @Test
  void eachChangedSignatureHeaderIsRefused() {
    assertRefused(
        () ->
            verifier.verify(
                envelope,
                body,
                with(MessageSignature.ISSUED_AT, t -> NOW.minusSeconds(1).toString()),
                true),
        Reason.BAD_SIGNATURE);
    assertRefused(
        () ->
            verifier.verify(
                envelope,
                body,
                with(MessageSignature.EXPIRES_AT, t -> NOW.plus(Duration.ofDays(9)).toString()),
                true),
        Reason.BAD_SIGNATURE);
    assertRefused(
        () ->
            verifier.verify(
                envelope,
                body,
                // Another first character, whatever the signature's was.
                with(
                    MessageSignature.SIGNATURE,
                    t -> (t.charAt(0) == 'A' ? "B" : "A") + t.substring(1)),
                true),
        Reason.BAD_SIGNATURE);
    assertRefused(
        () ->
            verifier.verify(
                envelope, body, with(MessageSignature.ISSUED_AT, t -> "yesterday"), true),
        Reason.BAD_SIGNATURE);
  }

  @Test
  void aMessageWithoutSignatureIsRefusedAsUnsigned() {
    assertRefused(() -> verifier.verify(envelope, body, Map.of(), true), Reason.UNSIGNED);
    assertRefused(() -> verifier.verify(envelope, body, null, true), Reason.UNSIGNED);
  }

  @Test
  void aSignatureOfAnotherKeyIsRefusedAsUnknownKey() {
    KeyPair other = KeyAlgorithm.ED25519.generate();
    Map<String, Object> forged =
        new MessageSigner(other, CLOCK, Duration.ofMinutes(10)).sign(envelope, body);

    assertRefused(() -> verifier.verify(envelope, body, forged, true), Reason.UNKNOWN_KEY);
  }

  @Test
  void aForgedSignatureClaimingTheTrustedKeyIdIsRefused() {
    KeyPair other = KeyAlgorithm.ED25519.generate();
    Map<String, Object> forged =
        new HashMap<>(new MessageSigner(other, CLOCK, Duration.ofMinutes(10)).sign(envelope, body));
    forged.put(MessageSignature.KEY_ID, KeyId.of(coordinator.getPublic()).value());

    assertRefused(() -> verifier.verify(envelope, body, forged, true), Reason.BAD_SIGNATURE);
  }

  @Test
  void eitherOfTwoTrustedKeysVerifies() {
    KeyPair next = KeyAlgorithm.ED25519.generate();
    MessageVerifier rotating =
        new MessageVerifier(List.of(coordinator.getPublic(), next.getPublic()), CLOCK);
    Map<String, Object> byNext =
        new MessageSigner(next, CLOCK, Duration.ofMinutes(10)).sign(envelope, body);

    assertThat(rotating.verify(envelope, body, headers, true).keyId())
        .isEqualTo(KeyId.of(coordinator.getPublic()));
    assertThat(rotating.verify(envelope, body, byNext, true).keyId())
        .isEqualTo(KeyId.of(next.getPublic()));
  }

  @Test
  void anExpiredMessageIsRefusedOnlyWhenExpiryIsChecked() {
    MessageVerifier later =
        new MessageVerifier(
            List.of(coordinator.getPublic()),
            Clock.fixed(NOW.plus(Duration.ofMinutes(11)), ZoneOffset.UTC));

    assertRefused(() -> later.verify(envelope, body, headers, true), Reason.EXPIRED);
    assertThat(later.verify(envelope, body, headers, false).keyId())
        .isEqualTo(KeyId.of(coordinator.getPublic()));
  }

  @Test
  void aMessageIssuedInTheFutureBeyondTheSkewIsRefused() {
    MessageVerifier earlier =
        new MessageVerifier(
            List.of(coordinator.getPublic()),
            Clock.fixed(NOW.minus(MessageVerifier.CLOCK_SKEW).minusSeconds(1), ZoneOffset.UTC));

    assertRefused(() -> earlier.verify(envelope, body, headers, true), Reason.EXPIRED);
  }

  @Test
  void theCanonicalFormCannotBeShiftedBetweenFields() {
    SignedFields a = new SignedFields(envelope.messageId(), "T", "vm-1", "m", 1, NOW, NOW, "00");
    SignedFields b =
        new SignedFields(envelope.messageId(), "T", "vm-1\n1:m", "", 1, NOW, NOW, "00");

    assertThat(a.canonicalForm()).isNotEqualTo(b.canonicalForm());
  }

  private Map<String, Object> with(String header, UnaryOperator<String> change) {
    Map<String, Object> changed = new HashMap<>(headers);
    changed.put(header, change.apply(headers.get(header).toString()));
    return changed;
  }

  private static void assertRefused(Runnable verification, Reason reason) {
    assertThatThrownBy(verification::run)
        .isInstanceOfSatisfying(
            SignatureRefusedException.class, e -> assertThat(e.reason()).isEqualTo(reason));
  }
}
