package io.pgshuttle.coordinator.intake;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgshuttle.messages.MessageCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Takes passwords out of a request before it is dead-lettered, since dead letters are listed,
 * replayed and read by people. A body that is JSON loses every field named {@code password} (the
 * request's is {@code body.target.password}), and every field of a {@code target} object but the
 * known ones that hold no secret (a mistyped {@code "passwrod"} still holds the password); a body
 * that is not JSON has each {@code "password": ...} value masked as well as it can be found.
 * Whatever password was found is also masked in the reason, since a parser's message may quote the
 * text it choked on. Thread-safe.
 */
public final class DeadLetterRedactor {
  static final String MASK = "******";
  static final int MAX_REASON_LENGTH = 4000;

  private static final String PASSWORD_FIELD = "password";
  private static final String TARGET_FIELD = "target";

  /** The fields of a target server that hold no secret; a dead letter keeps no other. */
  private static final Set<String> TARGET_FIELDS =
      Set.of("host", "port", "user", "sslmode", "sealedPassword");

  /**
   * {@code "password":} in text that is not JSON; its value is then scanned by hand, since a
   * regular expression over a long value recurses once per character and overflows the stack.
   */
  private static final Pattern PASSWORD_KEY =
      Pattern.compile("\"password\"\\s*+:\\s*+", Pattern.CASE_INSENSITIVE);

  private static final Pattern QUOTED_TOKEN = Pattern.compile("'([^']+)'");

  private final ObjectMapper mapper =
      JsonMapper.builder(
              JsonFactory.builder().streamReadConstraints(MessageCodec.readConstraints()).build())
          .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  /**
   * {@code body} and {@code reason} without passwords. A body over {@link
   * MessageCodec#MAX_MESSAGE_BYTES} is not searched but left out: the reason says its size.
   */
  public RedactedDeadLetter redact(byte[] body, String reason) {
    List<String> passwords = new ArrayList<>();
    if (body.length > MessageCodec.MAX_MESSAGE_BYTES) {
      return new RedactedDeadLetter(new byte[0], shortened(reason), false);
    }
    byte[] redacted = redactJson(body, passwords);
    if (redacted == null) {
      redacted = redactText(body, passwords);
    }
    String safeReason = maskQuotedFragments(reason, passwords);
    for (String password : passwords) {
      if (!password.isEmpty()) {
        safeReason = safeReason.replace(password, MASK);
      }
    }
    return new RedactedDeadLetter(redacted, shortened(safeReason), !passwords.isEmpty());
  }

  private static String shortened(String reason) {
    return reason.length() > MAX_REASON_LENGTH
        ? reason.substring(0, MAX_REASON_LENGTH - 1) + "…"
        : reason;
  }

  /**
   * Masks each 'quoted' token of {@code reason} that is part of a password: a parser quotes the
   * token it choked on, which for an unquoted password is a piece of it.
   */
  private static String maskQuotedFragments(String reason, List<String> passwords) {
    Matcher quoted = QUOTED_TOKEN.matcher(reason);
    StringBuilder masked = new StringBuilder();
    while (quoted.find()) {
      String token = quoted.group(1);
      boolean secret = passwords.stream().anyMatch(password -> password.contains(token));
      quoted.appendReplacement(
          masked, Matcher.quoteReplacement(secret ? "'" + MASK + "'" : quoted.group()));
    }
    quoted.appendTail(masked);
    return masked.toString();
  }

  /** The body without password fields, or null if it is not JSON. */
  private byte[] redactJson(byte[] body, List<String> passwords) {
    JsonNode root;
    try {
      root = mapper.readTree(body);
    } catch (IOException | NumberFormatException notJson) {
      // A number too long for a BigDecimal is not JSON that can be redacted as a tree.
      return null;
    }
    if (root == null || root.isMissingNode()) {
      return null;
    }
    removePasswords(root, passwords);
    try {
      return mapper.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a JSON tree just read", e);
    }
  }

  private static void removePasswords(JsonNode node, List<String> passwords) {
    if (node instanceof ObjectNode object) {
      List<String> found = new ArrayList<>();
      for (Map.Entry<String, JsonNode> field : object.properties()) {
        if (field.getKey().equalsIgnoreCase(PASSWORD_FIELD)) {
          passwords.add(text(field.getValue()));
          found.add(field.getKey());
        } else if (field.getKey().equalsIgnoreCase(TARGET_FIELD)
            && field.getValue() instanceof ObjectNode target) {
          keepKnownTargetFields(target, passwords);
        } else {
          removePasswords(field.getValue(), passwords);
        }
      }
      object.remove(found);
    } else if (node.isArray()) {
      node.forEach(element -> removePasswords(element, passwords));
    }
  }

  private static void keepKnownTargetFields(ObjectNode target, List<String> passwords) {
    List<String> unknown = new ArrayList<>();
    for (Map.Entry<String, JsonNode> field : target.properties()) {
      if (TARGET_FIELDS.contains(field.getKey())) {
        removePasswords(field.getValue(), passwords);
      } else {
        passwords.add(text(field.getValue()));
        unknown.add(field.getKey());
      }
    }
    target.remove(unknown);
  }

  private static String text(JsonNode value) {
    return value.isTextual() ? value.asText() : value.toString();
  }

  private static byte[] redactText(byte[] body, List<String> passwords) {
    String text = new String(body, StandardCharsets.UTF_8);
    Matcher key = PASSWORD_KEY.matcher(text);
    StringBuilder redacted = new StringBuilder();
    int copied = 0;
    while (copied < text.length() && key.find(copied)) {
      int end = valueEnd(text, key.end());
      passwords.add(unquote(text.substring(key.end(), end)));
      redacted.append(text, copied, key.end()).append('"').append(MASK).append('"');
      copied = end;
    }
    redacted.append(text, copied, text.length());
    return redacted.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Where the value starting at {@code start} ends: after its closing quote (the text's end if it
   * is cut short) when quoted, else at the first {@code ,}, {@code \}}, {@code ]} or whitespace.
   */
  private static int valueEnd(String text, int start) {
    int at = start;
    if (at < text.length() && text.charAt(at) == '"') {
      at++;
      while (at < text.length() && text.charAt(at) != '"') {
        at += text.charAt(at) == '\\' ? 2 : 1;
      }
      return Math.min(at + 1, text.length());
    }
    while (at < text.length()
        && ",}]".indexOf(text.charAt(at)) < 0
        && !Character.isWhitespace(text.charAt(at))) {
      at++;
    }
    return at;
  }

  private static String unquote(String value) {
    String unquoted = value.startsWith("\"") ? value.substring(1) : value;
    return unquoted.endsWith("\"") && !unquoted.isEmpty()
        ? unquoted.substring(0, unquoted.length() - 1)
        : unquoted;
  }
}
