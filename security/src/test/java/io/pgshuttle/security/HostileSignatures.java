package io.pgshuttle.security;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.pgshuttle.messages.CancelMigration;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MessageDecodingException;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.security.SignatureRefusedException.Reason;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;

/**
 * Signature headers for property-based tests: a message signed with a trusted key, then given one
 * {@link Fault} — headers missing, null or of another type, a signature truncated, flipped or made
 * by another key, huge values, expiry times in other formats or moved, a signature that expired or
 * is issued in the future, a body changed after signing. Each fault says why a verifier must refuse
 * the message. Shared with other modules' tests through the test-jar. Thread-safe when the {@link
 * Random} passed in is used by one thread.
 */
public final class HostileSignatures {
  /** What is done to a signed message, and the refusal it must meet. */
  public enum Fault {
    /** Signed as the signer signs. */
    NONE(null, false),
    /** No headers, empty headers, or no signature header. */
    UNSIGNED(Reason.UNSIGNED, false),
    /** The key id, issue or expiry header removed. */
    FIELD_MISSING(Reason.BAD_SIGNATURE, false),
    /** A signature header present with a null value (an AMQP void). */
    FIELD_NULL(Reason.BAD_SIGNATURE, false),
    /** The issue or expiry time as a number, a date object or bytes. */
    TIME_WRONG_TYPE(Reason.BAD_SIGNATURE, false),
    /** The signature as a number, raw bytes or a list. */
    SIGNATURE_WRONG_TYPE(Reason.BAD_SIGNATURE, false),
    /** The key id as a number or a list: names no trusted key. */
    KEY_ID_WRONG_TYPE(Reason.UNKNOWN_KEY, false),
    /** The signature's text cut short, by more than its padding. */
    TRUNCATED_SIGNATURE(Reason.BAD_SIGNATURE, false),
    /** One bit of the signature flipped. */
    FLIPPED_SIGNATURE(Reason.BAD_SIGNATURE, false),
    /** Signed by a key the verifier does not trust. */
    OTHER_KEY(Reason.UNKNOWN_KEY, false),
    /** Signed by an untrusted key, its key id replaced by the trusted key's. */
    OTHER_KEY_CLAIMING_TRUSTED(Reason.BAD_SIGNATURE, false),
    /** The signature headers of another message. */
    SIGNATURE_OF_ANOTHER(Reason.BAD_SIGNATURE, false),
    /** A key id of a megabyte. */
    HUGE_KEY_ID(Reason.UNKNOWN_KEY, false),
    /** A signature or time of a megabyte. */
    HUGE_VALUE(Reason.BAD_SIGNATURE, false),
    /** The expiry time in a format that is not an ISO instant. */
    EXPIRY_FORMAT(Reason.BAD_SIGNATURE, false),
    /** The expiry time moved later: no longer what was signed. */
    LATER_EXPIRY(Reason.BAD_SIGNATURE, false),
    /** Signed correctly, but expired a day ago. */
    EXPIRED(Reason.EXPIRED, true),
    /** Signed correctly, but issued an hour from now, beyond the allowed clock skew. */
    ISSUED_IN_FUTURE(Reason.EXPIRED, true),
    /** A space added to the body after signing: same message, other bytes. */
    BODY_CHANGED(Reason.BAD_SIGNATURE, false);

    private final Reason reason;
    private final boolean onlyWhenExpiryChecked;

    Fault(Reason reason, boolean onlyWhenExpiryChecked) {
      this.reason = reason;
      this.onlyWhenExpiryChecked = onlyWhenExpiryChecked;
    }

    /**
     * Why a verifier refuses a message with this fault; empty when it accepts it.
     *
     * @param checkExpiry whether the verifier checks the expiry (commands) or not (events)
     */
    public Optional<Reason> refusal(boolean checkExpiry) {
      return onlyWhenExpiryChecked && !checkExpiry ? Optional.empty() : Optional.ofNullable(reason);
    }
  }

  /** A body as published with its headers; either may be changed from what was signed. */
  public record Signed(byte[] body, Map<String, Object> headers) {}

  private static final int HUGE = 1 << 20;

  /** What a body that is no message is signed as, so that its headers are well formed. */
  private static final Envelope<CancelMigration> NOT_A_MESSAGE =
      Envelope.of(
          "vm-1", MigrationId.forRequest("not-a-message"), 1, 0, new CancelMigration("vm-1", ""));

  private final MessageCodec codec = new MessageCodec();

  private final KeyPair trusted;
  private final KeyPair untrusted;
  private final Clock clock;
  private final Duration validity;

  /**
   * @param trusted the key the verifier trusts
   * @param untrusted a key it does not trust
   * @param clock the verifier's clock
   */
  public HostileSignatures(KeyPair trusted, KeyPair untrusted, Clock clock, Duration validity) {
    this.trusted = trusted;
    this.untrusted = untrusted;
    this.clock = clock;
    this.validity = validity;
  }

  /** A new Ed25519 key pair. */
  public static KeyPair newKeyPair() {
    try {
      return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK has no Ed25519", e);
    }
  }

  /**
   * {@code body} signed as the message it decodes to (one that is none as if it were a command) and
   * then given {@code fault}.
   */
  public Signed sign(byte[] body, Fault fault, Random random) {
    return sign(envelopeOf(codec, body), body, fault, random);
  }

  /** The message {@code body} decodes to; one that is none as if it were a command to vm-1. */
  static Envelope<?> envelopeOf(MessageCodec codec, byte[] body) {
    try {
      return codec.decode(body);
    } catch (MessageDecodingException notAMessage) {
      return NOT_A_MESSAGE;
    }
  }

  /**
   * {@code headers} without their proof, one of three ways: no headers at all, none left, or all
   * but the {@code proof} header.
   */
  static Map<String, Object> unsigned(Map<String, Object> headers, String proof, Random random) {
    switch (random.nextInt(3)) {
      case 0 -> {
        return null;
      }
      case 1 -> headers.clear();
      default -> headers.remove(proof);
    }
    return headers;
  }

  /** {@code base64}'s text cut short, by more than its padding (a decoder needs no '='). */
  static String truncated(String base64, Random random) {
    return base64.substring(0, random.nextInt(base64.replace("=", "").length()));
  }

  /** {@code base64} with one bit of what it encodes flipped. */
  static String flipped(String base64, Random random) {
    byte[] raw = Base64.getDecoder().decode(base64);
    raw[random.nextInt(raw.length)] ^= (byte) (1 << random.nextInt(8));
    return Base64.getEncoder().encodeToString(raw);
  }

  /** {@code body} with a space before it: the same message, other bytes. */
  static byte[] changed(byte[] body) {
    byte[] changed = new byte[body.length + 1];
    changed[0] = ' ';
    System.arraycopy(body, 0, changed, 1, body.length);
    return changed;
  }

  /** {@code envelope}, published as {@code body}, signed and then given {@code fault}. */
  public Signed sign(Envelope<?> envelope, byte[] body, Fault fault, Random random) {
    Map<String, Object> headers = new HashMap<>(signer(trusted, clock).sign(envelope, body));
    String[] times = {MessageSignature.ISSUED_AT, MessageSignature.EXPIRES_AT};
    String time = times[random.nextInt(times.length)];
    String signature = headers.get(MessageSignature.SIGNATURE).toString();
    switch (fault) {
      case NONE -> {}
      case UNSIGNED -> headers = unsigned(headers, MessageSignature.SIGNATURE, random);
      case FIELD_MISSING -> {
        String[] fields = {MessageSignature.KEY_ID, time};
        headers.remove(fields[random.nextInt(fields.length)]);
      }
      case FIELD_NULL -> {
        List<String> names = List.copyOf(headers.keySet());
        headers.put(names.get(random.nextInt(names.size())), null);
      }
      case TIME_WRONG_TYPE -> {
        Instant at = Instant.parse(headers.get(time).toString());
        Object[] values = {at.toEpochMilli(), Date.from(at), at.toString().getBytes(UTF_8)};
        headers.put(time, values[random.nextInt(values.length)]);
      }
      case SIGNATURE_WRONG_TYPE -> {
        byte[] raw = Base64.getDecoder().decode(signature);
        Object[] values = {random.nextLong(), raw, List.of(signature)};
        headers.put(MessageSignature.SIGNATURE, values[random.nextInt(values.length)]);
      }
      case KEY_ID_WRONG_TYPE -> {
        Object[] values = {random.nextInt(), List.of(), Map.of("key", "value")};
        headers.put(MessageSignature.KEY_ID, values[random.nextInt(values.length)]);
      }
      case TRUNCATED_SIGNATURE ->
          headers.put(MessageSignature.SIGNATURE, truncated(signature, random));
      case FLIPPED_SIGNATURE -> headers.put(MessageSignature.SIGNATURE, flipped(signature, random));
      case OTHER_KEY -> headers = new HashMap<>(signer(untrusted, clock).sign(envelope, body));
      case OTHER_KEY_CLAIMING_TRUSTED -> {
        Object keyId = headers.get(MessageSignature.KEY_ID);
        headers = new HashMap<>(signer(untrusted, clock).sign(envelope, body));
        headers.put(MessageSignature.KEY_ID, keyId);
      }
      case SIGNATURE_OF_ANOTHER -> {
        Envelope<?> another =
            new Envelope<>(
                UUID.randomUUID(),
                envelope.instanceId(),
                envelope.migrationId(),
                envelope.attempt(),
                envelope.seq(),
                envelope.emittedAt(),
                envelope.payload());
        headers = new HashMap<>(signer(trusted, clock).sign(another, body));
      }
      case HUGE_KEY_ID -> headers.put(MessageSignature.KEY_ID, "a".repeat(HUGE));
      case HUGE_VALUE -> {
        String[] names = {MessageSignature.SIGNATURE, time};
        headers.put(names[random.nextInt(names.length)], "A".repeat(HUGE));
      }
      case EXPIRY_FORMAT -> {
        Instant at = Instant.parse(headers.get(MessageSignature.EXPIRES_AT).toString());
        String[] formats = {
          "",
          "tomorrow",
          at.toString().substring(0, 10),
          Long.toString(at.getEpochSecond()),
          Date.from(at).toString(),
          "+1000000001-01-01T00:00:00Z",
          at.toString().replace('T', ' ')
        };
        headers.put(MessageSignature.EXPIRES_AT, formats[random.nextInt(formats.length)]);
      }
      case LATER_EXPIRY -> {
        Instant at = Instant.parse(headers.get(MessageSignature.EXPIRES_AT).toString());
        headers.put(
            MessageSignature.EXPIRES_AT, at.plusSeconds(1 + random.nextInt(100_000)).toString());
      }
      case EXPIRED ->
          headers =
              new HashMap<>(
                  signer(trusted, Clock.offset(clock, Duration.ofDays(-1).minus(validity)))
                      .sign(envelope, body));
      case ISSUED_IN_FUTURE ->
          headers =
              new HashMap<>(
                  signer(trusted, Clock.offset(clock, Duration.ofHours(1))).sign(envelope, body));
      case BODY_CHANGED -> {
        return new Signed(changed(body), headers);
      }
    }
    return new Signed(body, headers);
  }

  private MessageSigner signer(KeyPair keys, Clock at) {
    return new MessageSigner(keys, at, validity);
  }
}
