package io.pgshuttle.coordinator.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgshuttle.amqp.AmqpException;
import io.pgshuttle.coordinator.deadletter.DeadLetterRegistry;
import io.pgshuttle.coordinator.deadletter.PasswordRequiredException;
import io.pgshuttle.coordinator.deadletter.ReplayResult;
import io.pgshuttle.coordinator.store.DeadLetterFilter;
import io.pgshuttle.coordinator.store.MigrationFilter;
import io.pgshuttle.messages.Secret;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The dead letters of the requests queue:
 *
 * <ul>
 *   <li>{@code GET /v1/dead-letters?reason=&instance=&limit=&after=} (read): 200 {@code
 *       {"deadLetters": [...], "next": cursor|null}}, newest first; limit 1 to 1000, default 50.
 *   <li>{@code GET /v1/dead-letters/{id}} (read): 200 with the dead letter.
 *   <li>{@code POST /v1/dead-letters/{id}/replay} (operate) with an optional body {@code
 *       {"targetPassword": "..."}}: 200 {@code {"id", "outcome", "message", "migrationId"}}; 400 if
 *       the dead letter's password was removed and the body brings none.
 *   <li>{@code POST /v1/dead-letters/replay?reason=&instance=} (operate; same optional body,
 *       applied to every one that needs it): 200 {@code {"results": [...]}}, oldest first.
 *   <li>{@code DELETE /v1/dead-letters/{id}} (operate): 200 {@code {"id", "deleted": true}}.
 * </ul>
 *
 * An unknown id answers 404, a malformed id, parameter or body 400, a broker that does not take a
 * replay 503; each with nothing changed. Thread-safe.
 */
public final class DeadLetterResource implements Resource {
  static final String PATH = "/v1/dead-letters";
  private static final int MAX_BODY_BYTES = 64 * 1024;

  private final DeadLetterRegistry registry;
  private final ObjectMapper mapper;

  @Inject
  public DeadLetterResource(DeadLetterRegistry registry, ObjectMapper mapper) {
    this.registry = registry;
    this.mapper = mapper;
  }

  @Override
  public List<Route> routes() {
    return List.of(
        Route.read("GET", PATH, this::list),
        Route.read("GET", PATH + "/{id}", request -> show(id(request))),
        Route.operate("DELETE", PATH + "/{id}", this::drop),
        Route.operate("POST", PATH + "/{id}/replay", this::replay),
        Route.operate("POST", PATH + "/replay", this::replayAll));
  }

  private ApiResponse list(ApiRequest request) {
    Map<String, String> query = request.parameters();
    int limit = ApiRequest.limit(query, MigrationFilter.DEFAULT_LIMIT, MigrationFilter.MAX_LIMIT);
    String afterText = nonEmpty(query.get("after"));
    Long after = afterText == null ? null : number(afterText, "after", 1, Long.MAX_VALUE);
    return ApiResponse.json(
        200,
        registry.list(
            new DeadLetterFilter(
                nonEmpty(query.get("reason")), nonEmpty(query.get("instance")), after, limit)));
  }

  private ApiResponse show(UUID id) {
    return registry
        .find(id)
        .map(letter -> ApiResponse.json(200, letter))
        .orElseGet(() -> notFound(id));
  }

  private ApiResponse replay(ApiRequest request) throws IOException {
    UUID id = id(request);
    Secret password = targetPassword(request).orElse(null);
    Optional<ReplayResult> result;
    try {
      result = registry.replay(id, password, request.callerName());
    } catch (PasswordRequiredException e) {
      return ApiResponse.error(400, e.getMessage(), "id", id);
    } catch (AmqpException e) {
      return notTaken(e);
    }
    return result.map(replayed -> ApiResponse.json(200, replayed)).orElseGet(() -> notFound(id));
  }

  private ApiResponse replayAll(ApiRequest request) throws IOException {
    Map<String, String> query = request.parameters();
    Secret password = targetPassword(request).orElse(null);
    try {
      return ApiResponse.json(
          200,
          Map.of(
              "results",
              registry.replayAll(
                  nonEmpty(query.get("reason")),
                  nonEmpty(query.get("instance")),
                  password,
                  request.callerName())));
    } catch (AmqpException e) {
      return notTaken(e);
    }
  }

  private ApiResponse drop(ApiRequest request) {
    UUID id = id(request);
    if (!registry.drop(id, request.callerName())) {
      return notFound(id);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", id);
    body.put("deleted", true);
    return ApiResponse.json(200, body);
  }

  private static ApiResponse notTaken(AmqpException e) {
    return ApiResponse.error(503, "the broker did not take the replay: " + e.getMessage());
  }

  private static ApiResponse notFound(UUID id) {
    return ApiResponse.error(404, "no dead letter " + id);
  }

  /**
   * The {@code targetPassword} of a replay body: absent, empty or {@code {}} means none.
   *
   * @throws BadRequest saying what is wrong with the body, never quoting it
   */
  private Optional<Secret> targetPassword(ApiRequest request) throws IOException {
    String expected = ": send {\"targetPassword\": \"...\"} or nothing";
    byte[] bytes;
    try {
      bytes = request.bodyBytes(MAX_BODY_BYTES);
    } catch (BadRequest e) {
      throw new BadRequest(e.getMessage() + expected);
    }
    if (new String(bytes, StandardCharsets.UTF_8).isBlank()) {
      return Optional.empty();
    }
    JsonNode json;
    try {
      json = mapper.readTree(bytes);
    } catch (JsonProcessingException e) {
      // The parser's message may quote the password: leave it out.
      throw new BadRequest("the request body is not JSON" + expected);
    }
    JsonNode password = json.path("targetPassword");
    if (!json.isObject() || !(password.isMissingNode() || password.isTextual())) {
      throw new BadRequest(
          "the request body must be a JSON object whose targetPassword is a string" + expected);
    }
    return password.isMissingNode() ? Optional.empty() : Optional.of(Secret.of(password.asText()));
  }

  private static UUID id(ApiRequest request) {
    String text = request.pathParameter(0);
    try {
      return UUID.fromString(text);
    } catch (IllegalArgumentException e) {
      throw new BadRequest(
          "'"
              + text
              + "' is not a dead-letter id: expected a UUID such as "
              + MigrationsResource.EXAMPLE_ID);
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
    throw new BadRequest(
        name + " must be a number from " + min + " to " + max + ", not '" + text + "'");
  }

  private static String nonEmpty(String text) {
    return text == null || text.isEmpty() ? null : text;
  }
}
