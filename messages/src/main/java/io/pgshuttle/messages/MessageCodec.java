package io.pgshuttle.messages;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonTypeName;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Reads and writes {@link Envelope}s as JSON. Thread-safe; create one and share it.
 *
 * <p>Wire form: {@code {"type", "version", "messageId", "instanceId", "migrationId", "attempt",
 * "seq", "emittedAt", "body"}}. Decoding refuses unknown types, versions it does not read, missing
 * header fields and missing required body fields (an explicit null counts as missing), each with a
 * message that names what is wrong. Unknown fields are ignored, so newer writers can add fields.
 */
public final class MessageCodec {
  /** The version this code writes for every type. */
  public static final int CURRENT_VERSION = 1;

  /** Larger messages are refused before parsing. */
  public static final int MAX_MESSAGE_BYTES = 1 << 20;

  /** Deeper JSON (objects and arrays within each other) is refused while parsing. */
  public static final int MAX_NESTING_DEPTH = 32;

  /** Longer JSON strings are refused while parsing. */
  public static final int MAX_STRING_CHARS = 256 * 1024;

  /** Longer JSON numbers (in characters) are refused while parsing: no field needs more. */
  public static final int MAX_NUMBER_CHARS = 64;

  /** Longer JSON field names are refused while parsing. */
  public static final int MAX_FIELD_NAME_CHARS = 256;

  private static final List<Class<? extends Payload>> PAYLOAD_TYPES =
      List.of(
          MigrationRequest.class,
          StartMigration.class,
          CancelMigration.class,
          SweepLeftovers.class,
          StepStarted.class,
          StepProgress.class,
          StepSucceeded.class,
          StepFailed.class,
          AttemptFailed.class,
          MigrationSucceeded.class,
          MigrationFailed.class,
          MigrationCancelled.class,
          AgentHeartbeat.class,
          LeftoversSwept.class,
          CommandRefused.class);

  private static final Map<String, Class<? extends Payload>> TYPES_BY_NAME =
      PAYLOAD_TYPES.stream()
          .collect(
              Collectors.toMap(
                  MessageCodec::typeName, type -> type, (a, b) -> a, LinkedHashMap::new));

  private final ObjectMapper mapper;

  public MessageCodec() {
    this.mapper = newObjectMapper();
  }

  /**
   * An ObjectMapper configured as the wire wants it (ISO-8601 instants, no nulls written, unknown
   * fields ignored, {@link #readConstraints()} on what it reads), for code that reads or writes
   * pgshuttle JSON outside an envelope.
   */
  public static ObjectMapper newObjectMapper() {
    JsonMapper mapper =
        JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();
    mapper.getFactory().setStreamReadConstraints(readConstraints());
    return mapper;
  }

  /**
   * The limits on reading JSON from outside: {@link #MAX_NESTING_DEPTH}, {@link #MAX_STRING_CHARS},
   * {@link #MAX_NUMBER_CHARS} and {@link #MAX_FIELD_NAME_CHARS}, for any other mapper that reads
   * broker or HTTP input.
   */
  public static StreamReadConstraints readConstraints() {
    return StreamReadConstraints.builder()
        .maxNestingDepth(MAX_NESTING_DEPTH)
        .maxStringLength(MAX_STRING_CHARS)
        .maxNumberLength(MAX_NUMBER_CHARS)
        .maxNameLength(MAX_FIELD_NAME_CHARS)
        .build();
  }

  /** The logical wire name of a payload type, from its {@link JsonTypeName}. */
  public static String typeName(Class<?> payloadType) {
    JsonTypeName name = payloadType.getAnnotation(JsonTypeName.class);
    if (name == null) {
      throw new IllegalArgumentException(payloadType + " has no @JsonTypeName");
    }
    return name.value();
  }

  /** The wire names of every payload type, in a stable order. */
  public static List<String> typeNames() {
    return List.copyOf(TYPES_BY_NAME.keySet());
  }

  /** The JSON bytes of {@code envelope}. */
  public byte[] encode(Envelope<?> envelope) {
    ObjectNode node = mapper.createObjectNode();
    node.put("type", envelope.type());
    node.put("version", CURRENT_VERSION);
    node.put("messageId", envelope.messageId().toString());
    node.put("instanceId", envelope.instanceId());
    node.put("migrationId", envelope.migrationId().toString());
    node.put("attempt", envelope.attempt());
    node.put("seq", envelope.seq());
    node.put("emittedAt", envelope.emittedAt().toString());
    node.set("body", mapper.valueToTree(envelope.payload()));
    try {
      return mapper.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + envelope.type(), e);
    }
  }

  /**
   * Reads an envelope of any known type.
   *
   * @throws MessageDecodingException naming what is wrong
   */
  public Envelope<Payload> decode(byte[] bytes) throws MessageDecodingException {
    return decode(bytes, Payload.class);
  }

  /**
   * Reads an envelope whose payload must be of {@code expected} (a payload class or one of the
   * sealed interfaces {@link Command} and {@link Event}).
   *
   * @throws MessageDecodingException naming what is wrong, including a type that is known but not
   *     of {@code expected}
   */
  @SuppressWarnings("unchecked")
  public <P extends Payload> Envelope<P> decode(byte[] bytes, Class<P> expected)
      throws MessageDecodingException {
    if (bytes == null || bytes.length == 0) {
      throw new MessageDecodingException("empty message: expected a JSON object");
    }
    if (bytes.length > MAX_MESSAGE_BYTES) {
      throw new MessageDecodingException(
          "message of " + bytes.length + " bytes is over the limit of " + MAX_MESSAGE_BYTES);
    }
    JsonNode root;
    try {
      root = mapper.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw new MessageDecodingException("malformed JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new MessageDecodingException("malformed JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new MessageDecodingException("malformed message: expected a JSON object");
    }
    String type = requiredText(root, "type");
    Class<? extends Payload> payloadType = TYPES_BY_NAME.get(type);
    if (payloadType == null) {
      throw new MessageDecodingException(
          "unknown message type '" + type + "': known types are " + typeNames());
    }
    if (!expected.isAssignableFrom(payloadType)) {
      throw new MessageDecodingException(
          "message type '" + type + "' is not a " + expected.getSimpleName());
    }
    JsonNode version = root.get("version");
    if (version == null || !version.canConvertToInt()) {
      throw new MessageDecodingException("missing field 'version' in " + type);
    }
    if (version.asInt() != CURRENT_VERSION) {
      throw new MessageDecodingException(
          "unknown version "
              + version.asText()
              + " of "
              + type
              + ": this pgshuttle reads version "
              + CURRENT_VERSION);
    }
    UUID messageId = parse(type, "messageId", root, UUID::fromString);
    String instanceId = requiredText(root, "instanceId", type);
    MigrationId migrationId = parse(type, "migrationId", root, MigrationId::parse);
    int attempt = requiredNumber(root, "attempt", type).asInt();
    long seq = requiredNumber(root, "seq", type).asLong();
    Instant emittedAt = parse(type, "emittedAt", root, Instants::parse);
    JsonNode body = root.get("body");
    if (body == null || !body.isObject()) {
      throw new MessageDecodingException("missing field 'body' in " + type);
    }
    // An explicit null reads as a missing field, so that a required one is refused (Jackson's
    // required only asks for the name) and what is accepted writes back the same.
    removeNulls(body);
    Payload payload;
    try {
      payload = mapper.treeToValue(body, payloadType);
    } catch (ValueInstantiationException e) {
      throw new MessageDecodingException(
          "invalid " + type + ": " + rootCauseMessage(e.getCause()), e);
    } catch (InvalidFormatException e) {
      throw new MessageDecodingException(
          "invalid field '" + path(e) + "' in " + type + ": " + e.getOriginalMessage(), e);
    } catch (MismatchedInputException e) {
      throw new MessageDecodingException(describeMismatch(type, e), e);
    } catch (JsonProcessingException e) {
      throw new MessageDecodingException("invalid " + type + ": " + e.getOriginalMessage(), e);
    }
    return new Envelope<>(messageId, instanceId, migrationId, attempt, seq, emittedAt, (P) payload);
  }

  private static void removeNulls(JsonNode node) {
    if (node instanceof ObjectNode object) {
      object.properties().removeIf(field -> field.getValue().isNull());
    }
    node.forEach(MessageCodec::removeNulls);
  }

  private static String describeMismatch(String type, MismatchedInputException e) {
    String message = e.getOriginalMessage();
    String field = path(e);
    if (message.startsWith("Missing required creator property")) {
      int start = message.indexOf('\'');
      int end = message.indexOf('\'', start + 1);
      String missing = message.substring(start + 1, end);
      // Jackson's path already ends with the missing property.
      return "missing field '" + (field.isEmpty() ? missing : field) + "' in " + type;
    }
    return "invalid field '" + field + "' in " + type + ": " + message;
  }

  private static String path(MismatchedInputException e) {
    return e.getPath().stream()
        .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
        .collect(Collectors.joining("."))
        .replace(".[", "[");
  }

  private static String rootCauseMessage(Throwable throwable) {
    Throwable cause = throwable;
    while (cause != null && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof NullPointerException && cause.getMessage() != null) {
      return "missing field '" + cause.getMessage() + "'";
    }
    return cause == null ? "unknown error" : cause.getMessage();
  }

  private static String requiredText(JsonNode root, String field) throws MessageDecodingException {
    JsonNode node = root.get(field);
    if (node == null || !node.isTextual() || node.asText().isEmpty()) {
      throw new MessageDecodingException("missing field '" + field + "'");
    }
    return node.asText();
  }

  private static String requiredText(JsonNode root, String field, String type)
      throws MessageDecodingException {
    JsonNode node = root.get(field);
    if (node == null || !node.isTextual() || node.asText().isEmpty()) {
      throw new MessageDecodingException("missing field '" + field + "' in " + type);
    }
    return node.asText();
  }

  private static JsonNode requiredNumber(JsonNode root, String field, String type)
      throws MessageDecodingException {
    JsonNode node = root.get(field);
    if (node == null || !node.isIntegralNumber()) {
      throw new MessageDecodingException("missing field '" + field + "' in " + type);
    }
    return node;
  }

  private interface Parser<T> {
    T parse(String text);
  }

  private static <T> T parse(String type, String field, JsonNode root, Parser<T> parser)
      throws MessageDecodingException {
    String text = requiredText(root, field, type);
    try {
      return parser.parse(text);
    } catch (IllegalArgumentException | DateTimeParseException e) {
      throw new MessageDecodingException(
          "invalid field '" + field + "' in " + type + ": '" + text + "'", e);
    }
  }
}
