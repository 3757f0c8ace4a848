package io.pgshuttle.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** The human form of the coordinator's dead letters and replay results. Stateless. */
final class DeadLetterText {
  private static final int DETAIL_COLUMN_WIDTH = 60;

  private DeadLetterText() {}

  /** A table of a {@code {"deadLetters": [...], "next"}} page, and how to get the next one. */
  static String list(JsonNode page) {
    JsonNode letters = page.path("deadLetters");
    if (letters.isEmpty()) {
      return "No dead letters.\n";
    }
    TextTable table =
        new TextTable(
            "ID",
            "REASON",
            "INSTANCE",
            "REQUEST",
            "FIRST FAILED",
            "DELIVERIES",
            "REPLAYS",
            "DETAIL");
    for (JsonNode letter : letters) {
      table.row(
          text(letter, "id"),
          text(letter, "reason"),
          text(letter, "instanceId"),
          text(letter, "requestId"),
          time(text(letter, "firstFailedAt")),
          text(letter, "deliveryCount"),
          text(letter, "replays"),
          Formats.shorten(text(letter, "detail"), DETAIL_COLUMN_WIDTH));
    }
    String next = text(page, "next");
    return table.render() + (next.isEmpty() ? "" : "more: --after " + next + "\n");
  }

  /** One dead letter, field by field, with its request (or raw body) at the end. */
  static String show(JsonNode letter) {
    StringBuilder out = new StringBuilder();
    for (String field :
        new String[] {
          "id",
          "reason",
          "detail",
          "firstFailedAt",
          "deliveryCount",
          "replays",
          "requestId",
          "instanceId"
        }) {
      String value = text(letter, field);
      if (!value.isEmpty()) {
        out.append(String.format("%-14s %s\n", field, value));
      }
    }
    JsonNode request = letter.path("request");
    if (!request.isNull() && !request.isMissingNode()) {
      out.append(String.format("%-14s %s\n", "request", request.toPrettyString()));
    } else {
      out.append(String.format("%-14s %s\n", "body", text(letter, "body")));
    }
    return out.toString();
  }

  /** One line per replay result: id, outcome, message. */
  static String results(Iterable<JsonNode> results) {
    StringBuilder out = new StringBuilder();
    for (JsonNode result : results) {
      out.append(text(result, "id"))
          .append("  ")
          .append(text(result, "outcome"))
          .append("  ")
          .append(text(result, "message"))
          .append('\n');
    }
    return out.length() == 0 ? "No dead letters to replay.\n" : out.toString();
  }

  /** An ISO-8601 instant as the other tables show times; other text as it is. */
  private static String time(String text) {
    try {
      return Formats.time(Instant.parse(text));
    } catch (DateTimeParseException e) {
      return text;
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.path(field);
    return value.isNull() || value.isMissingNode() ? "" : value.asText();
  }
}
