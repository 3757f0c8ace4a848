package io.pgshuttle.security;

import io.pgshuttle.messages.Envelope;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * What a signature covers: the header fields of a message, the signature's validity, and the
 * SHA-256 of the message's bytes as published (the whole AMQP body, so a change to any byte of the
 * body breaks the signature). An event's MAC covers the same fields but the validity ({@link
 * EventMacKey}).
 *
 * @param bodySha256 hex
 */
public record SignedFields(
    UUID messageId,
    String type,
    String instanceId,
    String migrationId,
    int attempt,
    Instant issuedAt,
    Instant expiresAt,
    String bodySha256) {

  private static final String VERSION = "pgshuttle-signature-v1";

  public SignedFields {
    Objects.requireNonNull(messageId, "messageId");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(instanceId, "instanceId");
    Objects.requireNonNull(migrationId, "migrationId");
    Objects.requireNonNull(issuedAt, "issuedAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(bodySha256, "bodySha256");
  }

  /** The fields of {@code envelope}, published as {@code body}, signed for the given validity. */
  public static SignedFields of(
      Envelope<?> envelope, byte[] body, Instant issuedAt, Instant expiresAt) {
    return new SignedFields(
        envelope.messageId(),
        envelope.type(),
        envelope.instanceId(),
        envelope.migrationId().toString(),
        envelope.attempt(),
        issuedAt,
        expiresAt,
        sha256(body));
  }

  /**
   * The bytes that are signed: a version line, then each field, length-prefixed ({@link
   * #canonical}).
   */
  public byte[] canonicalForm() {
    return canonical(
        List.of(
            VERSION,
            messageId.toString(),
            type,
            instanceId,
            migrationId,
            Integer.toString(attempt),
            issuedAt.toString(),
            expiresAt.toString(),
            bodySha256));
  }

  /**
   * {@code fields}, each as its length in UTF-8 bytes, a colon, its text and a newline, so that no
   * choice of values can read as another; shared with {@link EventMacKey}.
   */
  static byte[] canonical(List<String> fields) {
    // Written into one array of the right size: a stream and a string per length cost the event
    // MAC as much as the HMAC itself.
    byte[][] texts = new byte[fields.size()][];
    byte[][] lengths = new byte[fields.size()][];
    int size = 0;
    for (int i = 0; i < texts.length; i++) {
      texts[i] = fields.get(i).getBytes(StandardCharsets.UTF_8);
      lengths[i] = Integer.toString(texts[i].length).getBytes(StandardCharsets.US_ASCII);
      size += lengths[i].length + 1 + texts[i].length + 1;
    }
    byte[] out = new byte[size];
    int at = 0;
    for (int i = 0; i < texts.length; i++) {
      System.arraycopy(lengths[i], 0, out, at, lengths[i].length);
      at += lengths[i].length;
      out[at++] = ':';
      System.arraycopy(texts[i], 0, out, at, texts[i].length);
      at += texts[i].length;
      out[at++] = '\n';
    }
    return out;
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK has no SHA-256", e);
    }
  }
}
