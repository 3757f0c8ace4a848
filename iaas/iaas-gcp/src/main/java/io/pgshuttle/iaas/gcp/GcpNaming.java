package io.pgshuttle.iaas.gcp;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * How pgshuttle's tags and idempotency keys become GCP names, labels and descriptions.
 *
 * <p>GCP labels allow only lowercase letters, digits, {@code _} and {@code -}, at most 63
 * characters, and keys must start with a letter. Each tag key and value becomes a label by keeping
 * {@code a-z 0-9 -} and writing every other UTF-8 byte as {@code _} and two hex digits ({@code
 * Instance/0} → {@code _49nstance_2f0}); a key that would not start with a letter gets a {@code k}
 * in front; a result longer than 63 characters keeps its first 49 and ends with {@code __} and 12
 * hex digits of the SHA-256 of the original. The mapping is deterministic, so {@link #filter} finds
 * a disk by the labels its tags became. Since long values lose characters, the exact tags are also
 * kept, URL-encoded, in the disk's description, and that is what {@link #tags} reads back.
 *
 * <p>Stateless and thread-safe.
 */
final class GcpNaming {
  static final int MAX_LENGTH = 63;
  static final String DESCRIPTION_PREFIX = "pgshuttle auxiliary disk; tags: ";
  private static final String DISK_NAME_PREFIX = "pgshuttle-";
  private static final int HASH_CHARS = 12;

  private GcpNaming() {}

  /** The disk name for an idempotency key: the same key, the same name. A valid GCP name. */
  static String diskName(String idempotencyKey) {
    return DISK_NAME_PREFIX + sha256Hex(idempotencyKey).substring(0, 20);
  }

  /** The requestId that lets GCP recognise a repeated insert of the same disk. */
  static String requestId(String idempotencyKey) {
    return UUID.nameUUIDFromBytes(
            ("pgshuttle disk " + idempotencyKey).getBytes(StandardCharsets.UTF_8))
        .toString();
  }

  /** The labels the tags become. */
  static Map<String, String> labels(Map<String, String> tags) {
    Map<String, String> labels = new TreeMap<>();
    tags.forEach((key, value) -> labels.put(labelKey(key), labelValue(value)));
    return labels;
  }

  /** A Compute API list filter matching disks with every one of the tags; empty for no tags. */
  static Optional<String> filter(Map<String, String> tags) {
    if (tags.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        labels(tags).entrySet().stream()
            .map(label -> "(labels." + label.getKey() + " = \"" + label.getValue() + "\")")
            .collect(Collectors.joining(" AND ")));
  }

  /** The description that records the exact tags. */
  static String description(Map<String, String> tags) {
    return DESCRIPTION_PREFIX
        + new TreeMap<>(tags)
            .entrySet().stream()
                .map(tag -> urlEncode(tag.getKey()) + "=" + urlEncode(tag.getValue()))
                .collect(Collectors.joining("&"));
  }

  /**
   * The tags of a disk: those its description records when pgshuttle made it, else its labels as
   * they are.
   */
  static Map<String, String> tags(String description, Map<String, String> labels) {
    if (!description.startsWith(DESCRIPTION_PREFIX)) {
      return labels;
    }
    Map<String, String> tags = new LinkedHashMap<>();
    String encoded = description.substring(DESCRIPTION_PREFIX.length());
    if (encoded.isEmpty()) {
      return tags;
    }
    for (String pair : encoded.split("&")) {
      int equals = pair.indexOf('=');
      tags.put(urlDecode(pair.substring(0, equals)), urlDecode(pair.substring(equals + 1)));
    }
    return tags;
  }

  static String labelKey(String key) {
    String escaped = escape(key);
    return capped(key, escaped.matches("[a-z].*") ? escaped : "k" + escaped);
  }

  static String labelValue(String value) {
    return capped(value, escape(value));
  }

  private static String capped(String original, String label) {
    if (label.length() <= MAX_LENGTH) {
      return label;
    }
    int keep = MAX_LENGTH - 2 - HASH_CHARS;
    return label.substring(0, keep) + "__" + sha256Hex(original).substring(0, HASH_CHARS);
  }

  private static String escape(String text) {
    StringBuilder label = new StringBuilder();
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') {
        label.append(c);
      } else {
        label.append('_').append(HexFormat.of().toHexDigits(b));
      }
    }
    return label.toString();
  }

  private static String urlEncode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  private static String urlDecode(String text) {
    return URLDecoder.decode(text, StandardCharsets.UTF_8);
  }

  private static String sha256Hex(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
