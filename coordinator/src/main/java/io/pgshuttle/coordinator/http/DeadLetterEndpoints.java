package io.pgshuttle.coordinator.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import io.pgshuttle.amqp.AmqpException;
import io.pgshuttle.coordinator.deadletter.DeadLetterRegistry;
import io.pgshuttle.coordinator.deadletter.PasswordRequiredException;
import io.pgshuttle.coordinator.deadletter.ReplayResult;
import io.pgshuttle.coordinator.store.DeadLetterFilter;
import io.pgshuttle.coordinator.store.MigrationFilter;
import io.pgshuttle.messages.Secret;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The dead-letter part of the HTTP API, routed by {@link HttpApi}:
 *
 * <ul>
 *   <li>{@code GET /v1/dead-letters?reason=&instance=&limit=&after=}: 200 {@code {"deadLetters":
 *       [...], "next": cursor|null}}, newest first; limit 1 to 1000, default 50.
 *   <li>{@code GET /v1/dead-letters/{id}}: 200 with the dead letter.
 *   <li>{@code POST /v1/dead-letters/{id}/replay} with an optional body {@code {"targetPassword":
 *       "..."}}: 200 {@code {"id", "outcome", "message", "migrationId"}}; 400 if the dead letter's
 *       password was removed and the body brings none.
 *   <li>{@code POST /v1/dead-letters/replay?reason=&instance=} (same optional body, applied to
 *       every one that needs it): 200 {@code {"results": [...]}}, oldest first.
 *   <li>{@code DELETE /v1/dead-letters/{id}}: 200 {@code {"id", "deleted": true}}.
 * </ul>
 *
 * An unknown id answers 404, a malformed id, parameter or body 400, a broker that does not take a
 * replay 503; each with nothing changed. Thread-safe.
 */
public final class DeadLetterEndpoints {
  static final String PATH = "/v1/dead-letters";
  private static final Pattern ONE = Pattern.compile(PATH + "/([^/]+)");
  private static final Pattern REPLAY_ONE = Pattern.compile(PATH + "/([^/]+)/replay");
  private static final String REPLAY_ALL = PATH + "/replay";
  private static final int MAX_BODY_BYTES = 64 * 1024;

  private final DeadLetterRegistry registry;
  private final ObjectMapper mapper;

  @Inject
  public DeadLetterEndpoints(DeadLetterRegistry registry, ObjectMapper mapper) {
    this.registry = registry;
    this.mapper = mapper;
  }

  /** An HTTP status and the value to write as JSON. */
  public record Answer(int status, Object body) {
    static Answer error(int status, String message) {
      return new Answer(status, Map.of("error", message));
    }
  }

  /** Whether {@code path} is one of these endpoints'. */
  public static boolean handles(String path) {
    return path.equals(PATH) || path.startsWith(PATH + "/");
  }

  /**
   * Answers a request to one of these endpoints.
   *
   * @param parameters parses a raw query string, throwing IllegalArgumentException if malformed
   */
  public Answer answer(HttpExchange exchange, Function<String, Map<String, String>> parameters)
      throws IOException {
    String path = exchange.getRequestURI().getPath();
    String method = exchange.getRequestMethod();
    Matcher replayOne = REPLAY_ONE.matcher(path);
    Matcher one = ONE.matcher(path);
    String allowed =
        path.equals(REPLAY_ALL) || replayOne.matches()
            ? "POST"
            : one.matches() ? "GET, DELETE" : path.equals(PATH) ? "GET" : null;
    if (allowed == null) {
      return Answer.error(404, "no such resource: " + path);
    }
    if (!List.of(allowed.split(", ")).contains(method)) {
      exchange.getResponseHeaders().set("Allow", allowed);
      return Answer.error(405, method + " is not allowed on " + path);
    }
    Map<String, String> query;
    try {
      query = parameters.apply(exchange.getRequestURI().getRawQuery());
    } catch (IllegalArgumentException e) {
      return Answer.error(400, "malformed query string: " + e.getMessage());
    }
    try {
      if (path.equals(PATH)) {
        return list(query);
      }
      if (path.equals(REPLAY_ALL)) {
        Optional<Secret> password = targetPassword(exchange.getRequestBody());
        return new Answer(
            200,
            Map.of(
                "results",
                registry.replayAll(
                    nonEmpty(query.get("reason")),
                    nonEmpty(query.get("instance")),
                    password.orElse(null))));
      }
      if (replayOne.matches()) {
        UUID id = id(replayOne.group(1));
        Optional<Secret> password = targetPassword(exchange.getRequestBody());
        return replay(id, password.orElse(null));
      }
      UUID id = id(one.group(1));
      return method.equals("DELETE") ? drop(id) : show(id);
    } catch (IllegalArgumentException e) {
      return Answer.error(400, e.getMessage());
    } catch (AmqpException e) {
      return Answer.error(503, "the broker did not take the replay: " + e.getMessage());
    }
  }

  private Answer list(Map<String, String> query) {
    String limitText = nonEmpty(query.get("limit"));
    int limit = MigrationFilter.DEFAULT_LIMIT;
    if (limitText != null) {
      limit = (int) number(limitText, "limit", 1, MigrationFilter.MAX_LIMIT);
    }
    String afterText = nonEmpty(query.get("after"));
    Long after = afterText == null ? null : number(afterText, "after", 1, Long.MAX_VALUE);
    return new Answer(
        200,
        registry.list(
            new DeadLetterFilter(
                nonEmpty(query.get("reason")), nonEmpty(query.get("instance")), after, limit)));
  }

  private Answer show(UUID id) {
    return registry.find(id).map(letter -> new Answer(200, letter)).orElseGet(() -> notFound(id));
  }

  private Answer replay(UUID id, Secret password) {
    Optional<ReplayResult> result;
    try {
      result = registry.replay(id, password);
    } catch (PasswordRequiredException e) {
      Map<String, Object> error = new LinkedHashMap<>();
      error.put("error", e.getMessage());
      error.put("id", id);
      return new Answer(400, error);
    }
    return result.map(replayed -> new Answer(200, replayed)).orElseGet(() -> notFound(id));
  }

  private Answer drop(UUID id) {
    if (!registry.drop(id)) {
      return notFound(id);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", id);
    body.put("deleted", true);
    return new Answer(200, body);
  }

  private static Answer notFound(UUID id) {
    return Answer.error(404, "no dead letter " + id);
  }

  /**
   * The {@code targetPassword} of a replay body: absent, empty or {@code {}} means none.
   *
   * @throws IllegalArgumentException saying what is wrong with the body, never quoting it
   */
  private Optional<Secret> targetPassword(InputStream body) throws IOException {
    byte[] bytes = body.readNBytes(MAX_BODY_BYTES + 1);
    String expected = ": send {\"targetPassword\": \"...\"} or nothing";
    if (bytes.length > MAX_BODY_BYTES) {
      throw new IllegalArgumentException(
          "the request body is over " + MAX_BODY_BYTES + " bytes" + expected);
    }
    if (new String(bytes, StandardCharsets.UTF_8).isBlank()) {
      return Optional.empty();
    }
    JsonNode json;
    try {
      json = mapper.readTree(bytes);
    } catch (JsonProcessingException e) {
      // The parser's message may quote the password: leave it out.
      throw new IllegalArgumentException("the request body is not JSON" + expected);
    }
    JsonNode password = json.path("targetPassword");
    if (!json.isObject() || !(password.isMissingNode() || password.isTextual())) {
      throw new IllegalArgumentException(
          "the request body must be a JSON object whose targetPassword is a string" + expected);
    }
    return password.isMissingNode() ? Optional.empty() : Optional.of(Secret.of(password.asText()));
  }

  private static UUID id(String text) {
    try {
      return UUID.fromString(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "'"
              + text
              + "' is not a dead-letter id: expected a UUID such as"
              + " 123e4567-e89b-12d3-a456-426614174000");
    }
  }

  private static long number(String text, String name, long min, long max) {
    try {
      long value = Long.parseLong(text);
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException e) {
      // Said below.
    }
    throw new IllegalArgumentException(
        name + " must be a number from " + min + " to " + max + ", not '" + text + "'");
  }

  private static String nonEmpty(String text) {
    return text == null || text.isEmpty() ? null : text;
  }
}
