package io.pgshuttle.security;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A signature as it travels in a message's AMQP headers: {@value #KEY_ID}, {@value #ISSUED_AT},
 * {@value #EXPIRES_AT} and {@value #SIGNATURE} (base64). Headers, not envelope fields, so that the
 * signature covers the message's bytes exactly as published.
 */
public record MessageSignature(KeyId keyId, Instant issuedAt, Instant expiresAt, String value) {
  public static final String KEY_ID = "pgshuttle-key-id";
  public static final String ISSUED_AT = "pgshuttle-issued-at";
  public static final String EXPIRES_AT = "pgshuttle-expires-at";
  public static final String SIGNATURE = "pgshuttle-signature";

  public MessageSignature {
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(issuedAt, "issuedAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(value, "value");
  }

  /** The AMQP headers that carry this signature. */
  public Map<String, Object> toHeaders() {
    return Map.of(
        KEY_ID,
        keyId.value(),
        ISSUED_AT,
        issuedAt.toString(),
        EXPIRES_AT,
        expiresAt.toString(),
        SIGNATURE,
        value);
  }

  /**
   * The signature in {@code headers}, which may be null.
   *
   * @return empty when there is no signature header at all
   * @throws SignatureRefusedException ({@link SignatureRefusedException.Reason#BAD_SIGNATURE}) when
   *     the headers are there but malformed
   */
  public static Optional<MessageSignature> fromHeaders(Map<String, Object> headers) {
    if (headers == null || !headers.containsKey(SIGNATURE)) {
      return Optional.empty();
    }
    try {
      MessageSignature signature =
          new MessageSignature(
              new KeyId(text(headers, KEY_ID)),
              Instant.parse(text(headers, ISSUED_AT)),
              Instant.parse(text(headers, EXPIRES_AT)),
              text(headers, SIGNATURE));
      Base64.getDecoder().decode(signature.value());
      return Optional.of(signature);
    } catch (DateTimeParseException | IllegalArgumentException e) {
      throw new SignatureRefusedException(
          SignatureRefusedException.Reason.BAD_SIGNATURE,
          "malformed signature headers: " + e.getMessage());
    }
  }

  private static String text(Map<String, Object> headers, String name) {
    Object value = headers.get(name);
    if (value == null) {
      throw new IllegalArgumentException("header " + name + " is missing");
    }
    // The AMQP client reads header strings as LongString.
    return value.toString();
  }
}
