package io.pgshuttle.security;

import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An event's MAC as it travels in the AMQP headers: {@value #KEY_ID}, the id of the coordinator's
 * X25519 key the MAC key was agreed with, and {@value #MAC}, the HMAC-SHA256 in base64 (see {@link
 * EventMacKey}). Headers, not envelope fields, so that the MAC covers the message's bytes exactly
 * as published. {@link #toString()} leaves the MAC out.
 */
public record EventMac(KeyId coordinatorKeyId, String value) {
  public static final String KEY_ID = "pgshuttle-mac-key-id";
  public static final String MAC = "pgshuttle-mac";

  public EventMac {
    Objects.requireNonNull(coordinatorKeyId, "coordinatorKeyId");
    Objects.requireNonNull(value, "value");
  }

  /** The AMQP headers that carry this MAC. */
  public Map<String, Object> toHeaders() {
    return Map.of(KEY_ID, coordinatorKeyId.value(), MAC, value);
  }

  /**
   * The MAC in {@code headers}, which may be null.
   *
   * @return empty when there is no MAC header
   * @throws SignatureRefusedException ({@link SignatureRefusedException.Reason#BAD_SIGNATURE}) when
   *     the headers are there but malformed
   */
  public static Optional<EventMac> fromHeaders(Map<String, Object> headers) {
    if (headers == null || !headers.containsKey(MAC)) {
      return Optional.empty();
    }
    Object keyId = headers.get(KEY_ID);
    Object value = headers.get(MAC);
    if (keyId == null || value == null) {
      throw new SignatureRefusedException(
          SignatureRefusedException.Reason.BAD_SIGNATURE,
          "malformed MAC headers: " + (keyId == null ? KEY_ID : MAC) + " is missing");
    }
    // The AMQP client reads header strings as LongString.
    EventMac mac = new EventMac(new KeyId(keyId.toString()), value.toString());
    try {
      Base64.getDecoder().decode(mac.value());
    } catch (IllegalArgumentException e) {
      throw new SignatureRefusedException(
          SignatureRefusedException.Reason.BAD_SIGNATURE, "malformed MAC header: not base64");
    }
    return Optional.of(mac);
  }

  @Override
  public String toString() {
    return "EventMac[coordinatorKeyId=" + coordinatorKeyId + "]";
  }
}
