package io.pgshuttle.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgshuttle.messages.MessageCodec;
import java.util.List;

/** Reads the coordinator's JSON: of migrations, sweeps and dead letters. Thread-safe. */
final class StatusJson {
  private final ObjectMapper mapper =
      MessageCodec.newObjectMapper().disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
  private final String source;

  /**
   * @param source where the JSON came from, for messages
   */
  StatusJson(String source) {
    this.source = source;
  }

  MigrationStatus migration(String json) {
    try {
      return mapper.readValue(json, MigrationStatus.class);
    } catch (JsonProcessingException e) {
      throw unreadable(e.getOriginalMessage(), e);
    }
  }

  SweepStatus sweep(String json) {
    try {
      return mapper.readValue(json, SweepStatus.class);
    } catch (JsonProcessingException e) {
      throw unreadable(e.getOriginalMessage(), e);
    }
  }

  /** A list answer: {@code {"migrations": [...]}}, or a bare array. */
  List<MigrationStatus> migrations(String json) {
    try {
      JsonNode root = mapper.readTree(json);
      JsonNode list = root.isObject() ? root.path("migrations") : root;
      if (!list.isArray()) {
        throw unreadable("expected {\"migrations\": [...]}", null);
      }
      return mapper.convertValue(list, new TypeReference<List<MigrationStatus>>() {});
    } catch (JsonProcessingException e) {
      throw unreadable(e.getOriginalMessage(), e);
    } catch (IllegalArgumentException e) {
      throw unreadable(e.getMessage(), e);
    }
  }

  /**
   * The JSON tree of an answer that must hold {@code field} of the given kind, such as {@code
   * deadLetters} (an array) of a dead-letter listing.
   */
  JsonNode withField(String json, String field, boolean array) {
    JsonNode root;
    try {
      root = mapper.readTree(json);
    } catch (JsonProcessingException e) {
      throw unreadable(e.getOriginalMessage(), e);
    }
    JsonNode value = root == null ? null : root.get(field);
    if (value == null || (array ? !value.isArray() : value.isContainerNode())) {
      throw unreadable(
          "expected {\"" + field + "\": " + (array ? "[...]" : "a value") + ", ...}", null);
    }
    return root;
  }

  private CliException unreadable(String reason, Exception cause) {
    return CliException.unreachable(
        "the coordinator at "
            + source
            + " answered with a status this pgshuttle cannot read ("
            + reason
            + "): check that PGSHUTTLE_COORDINATOR_URL names a pgshuttle coordinator of the same"
            + " version",
        cause);
  }
}
