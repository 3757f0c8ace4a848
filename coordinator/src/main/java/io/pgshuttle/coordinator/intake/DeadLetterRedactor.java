package io.pgshuttle.coordinator.intake;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Takes passwords out of a request before it is dead-lettered, since dead letters are listed,
 * replayed and read by people. A body that is JSON loses every field named {@code password} (the
 * request's is {@code body.target.password}); a body that is not has each {@code "password": ...}
 * value masked as well as it can be found. Whatever password was found is also masked in the
 * reason, since a parser's message may quote the text it choked on. Thread-safe.
 */
public final class DeadLetterRedactor {
  static final String MASK = "******";
  static final int MAX_REASON_LENGTH = 4000;

  private static final String PASSWORD_FIELD = "password";

  /** {@code "password": <value>} in text that is not JSON; the value may be cut short. */
  private static final Pattern PASSWORD_IN_TEXT =
      Pattern.compile(
          "(\"password\"\\s*:\\s*)(\"(?:[^\"\\\\]|\\\\.)*\"?|[^,}\\]\\s]*)",
          Pattern.CASE_INSENSITIVE);

  private static final Pattern QUOTED_TOKEN = Pattern.compile("'([^']+)'");

  private final ObjectMapper mapper =
      JsonMapper.builder()
          .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  /** {@code body} and {@code reason} without passwords. */
  public RedactedDeadLetter redact(byte[] body, String reason) {
    List<String> passwords = new ArrayList<>();
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
    if (safeReason.length() > MAX_REASON_LENGTH) {
      safeReason = safeReason.substring(0, MAX_REASON_LENGTH - 1) + "…";
    }
    return new RedactedDeadLetter(redacted, safeReason, !passwords.isEmpty());
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
    } catch (IOException notJson) {
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
          JsonNode value = field.getValue();
          passwords.add(value.isTextual() ? value.asText() : value.toString());
          found.add(field.getKey());
        } else {
          removePasswords(field.getValue(), passwords);
        }
      }
      object.remove(found);
    } else if (node.isArray()) {
      node.forEach(element -> removePasswords(element, passwords));
    }
  }

  private static byte[] redactText(byte[] body, List<String> passwords) {
    String text = new String(body, StandardCharsets.UTF_8);
    Matcher matcher = PASSWORD_IN_TEXT.matcher(text);
    StringBuilder redacted = new StringBuilder();
    while (matcher.find()) {
      passwords.add(unquote(matcher.group(2)));
      matcher.appendReplacement(
          redacted, Matcher.quoteReplacement(matcher.group(1) + "\"" + MASK + "\""));
    }
    matcher.appendTail(redacted);
    return redacted.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static String unquote(String value) {
    String unquoted = value.startsWith("\"") ? value.substring(1) : value;
    return unquoted.endsWith("\"") && !unquoted.isEmpty()
        ? unquoted.substring(0, unquoted.length() - 1)
        : unquoted;
  }
}
