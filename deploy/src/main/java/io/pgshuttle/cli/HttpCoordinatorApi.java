package io.pgshuttle.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.Secret;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The coordinator's HTTP API over {@link PlainHttp}. A 404 of one migration is "not known"; other
 * 4xx answers are the operator's to fix (exit code 2) and carry the coordinator's {@code error}
 * text; 5xx answers and failed connections mean the coordinator is not usable (exit code 3).
 * Thread-safe.
 */
final class HttpCoordinatorApi implements CoordinatorApi {
  private final URI baseUrl;
  private final Secret apiToken;
  private final Duration requestTimeout;
  private final ObjectMapper json = new ObjectMapper();

  /**
   * @param apiToken sent as {@code Authorization: Bearer}; null sends none
   */
  HttpCoordinatorApi(URI baseUrl, Secret apiToken, Duration timeout) {
    this.baseUrl = baseUrl;
    this.apiToken = apiToken;
    this.requestTimeout = timeout;
  }

  @Override
  public Optional<String> migration(MigrationId id) {
    return unlessNotFound(get("/v1/migrations/" + id));
  }

  @Override
  public EventWatch onEachEvent(MigrationId id, Runnable action) {
    try {
      HttpURLConnection stream = open("/v1/migrations/" + id + "/events?after=latest");
      stream.setRequestProperty("Accept", "text/event-stream");
      stream.setReadTimeout(Math.toIntExact(requestTimeout.toMillis())); // until the answer came
      return EventStreamWatch.start(stream, action);
    } catch (IOException e) {
      return () -> {}; // a hint only: the caller polls
    }
  }

  @Override
  public Optional<String> cancel(MigrationId id, String reason) {
    String body = reason == null ? "{}" : writeJson(Map.of("reason", reason));
    return unlessNotFound(postJson("/v1/migrations/" + id + "/cancel", body));
  }

  private PlainHttp.Answer postJson(String path, String body) {
    return send("POST", path, body, requestTimeout);
  }

  private String writeJson(Map<String, String> body) {
    try {
      return json.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a string as JSON", e);
    }
  }

  @Override
  public String migrations(String state, String instance, Integer limit) {
    List<String> query = new ArrayList<>();
    addParameter(query, "state", state);
    addParameter(query, "instance", instance);
    addParameter(query, "limit", limit == null ? null : limit.toString());
    String path = "/v1/migrations" + (query.isEmpty() ? "" : "?" + String.join("&", query));
    return requireOk(get(path));
  }

  @Override
  public String sweep(String instance, Duration wait) {
    List<String> query = new ArrayList<>();
    addParameter(query, "instance", instance);
    addParameter(query, "wait", wait == null ? null : wait.toString());
    String path = "/v1/gc" + (query.isEmpty() ? "" : "?" + String.join("&", query));
    // The coordinator holds the answer up to the wait.
    return requireOk(
        send("POST", path, "", wait == null ? requestTimeout : requestTimeout.plus(wait)));
  }

  @Override
  public Optional<String> sweepStatus(UUID id) {
    return unlessNotFound(get("/v1/gc/" + id));
  }

  @Override
  public String deadLetters(String reason, String instance, Integer limit, String after) {
    List<String> query = new ArrayList<>();
    addParameter(query, "reason", reason);
    addParameter(query, "instance", instance);
    addParameter(query, "limit", limit == null ? null : limit.toString());
    addParameter(query, "after", after);
    return requireOk(
        get("/v1/dead-letters" + (query.isEmpty() ? "" : "?" + String.join("&", query))));
  }

  @Override
  public Optional<String> deadLetter(UUID id) {
    return unlessNotFound(get("/v1/dead-letters/" + id));
  }

  @Override
  public Optional<String> replayDeadLetter(UUID id, Secret targetPassword) {
    return unlessNotFound(
        postJson("/v1/dead-letters/" + id + "/replay", replayBody(targetPassword)));
  }

  @Override
  public String replayDeadLetters(String reason, String instance, Secret targetPassword) {
    List<String> query = new ArrayList<>();
    addParameter(query, "reason", reason);
    addParameter(query, "instance", instance);
    return requireOk(
        postJson(
            "/v1/dead-letters/replay" + (query.isEmpty() ? "" : "?" + String.join("&", query)),
            replayBody(targetPassword)));
  }

  @Override
  public Optional<String> dropDeadLetter(UUID id) {
    return unlessNotFound(send("DELETE", "/v1/dead-letters/" + id, null, requestTimeout));
  }

  /** {@code {"targetPassword": ...}}, or {@code {}} without one. */
  private String replayBody(Secret targetPassword) {
    return targetPassword == null
        ? "{}"
        : writeJson(Map.of("targetPassword", targetPassword.reveal()));
  }

  @Override
  public String audit(MigrationId migration, String action, Instant since) {
    List<String> query = new ArrayList<>();
    addParameter(query, "migration", migration == null ? null : migration.toString());
    addParameter(query, "action", action);
    addParameter(query, "since", since == null ? null : since.toString());
    return requireOk(get("/v1/audit" + (query.isEmpty() ? "" : "?" + String.join("&", query))));
  }

  @Override
  public String describe() {
    return baseUrl.toString();
  }

  private static void addParameter(List<String> query, String name, String value) {
    if (value != null) {
      query.add(name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
    }
  }

  private PlainHttp.Answer get(String path) {
    return send("GET", path, null, requestTimeout);
  }

  /** A connection to {@code path}, with the token, not yet connected. */
  private HttpURLConnection open(String path) throws IOException {
    return PlainHttp.open(URI.create(baseUrl + path), authorization(), requestTimeout);
  }

  private String authorization() {
    return apiToken == null ? null : "Bearer " + apiToken.reveal();
  }

  /**
   * Sends a request and reads the whole answer.
   *
   * @param jsonBody the body, sent as JSON; null for none
   * @param timeout how long the answer may take to come
   */
  private PlainHttp.Answer send(String method, String path, String jsonBody, Duration timeout) {
    try {
      return PlainHttp.send(URI.create(baseUrl + path), method, authorization(), jsonBody, timeout);
    } catch (IOException e) {
      throw CliException.unreachable(
          "cannot reach the coordinator at "
              + baseUrl
              + " ("
              + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
              + "): check PGSHUTTLE_COORDINATOR_URL and that `pgshuttle coordinator` runs",
          e);
    }
  }

  private Optional<String> unlessNotFound(PlainHttp.Answer response) {
    if (response.status() == 404) {
      return Optional.empty();
    }
    return Optional.of(requireOk(response));
  }

  private String requireOk(PlainHttp.Answer response) {
    int status = response.status();
    if (status >= 200 && status < 300) {
      return response.body();
    }
    String reason = errorText(response.body());
    if (status == 401 || status == 403) {
      throw CliException.badInput(
          "the coordinator refused the request: "
              + reason
              + (apiToken == null
                  ? " (PGSHUTTLE_API_TOKEN is not set: set it to a token the coordinator knows)"
                  : " (check PGSHUTTLE_API_TOKEN)"));
    }
    if (status >= 400 && status < 500) {
      throw CliException.badInput("the coordinator refused the request: " + reason);
    }
    throw CliException.unreachable(
        "the coordinator at " + baseUrl + " answered " + status + ": " + reason, null);
  }

  /** The API's {@code {"error": "..."}} text, else the start of the body. */
  private String errorText(String body) {
    try {
      JsonNode error = json.readTree(body).path("error");
      if (error.isTextual()) {
        return error.asText();
      }
    } catch (IOException e) {
      // Not JSON: show the body itself.
    }
    String trimmed = body == null ? "" : body.strip();
    return trimmed.isEmpty()
        ? "(no message)"
        : trimmed.substring(0, Math.min(200, trimmed.length()));
  }
}
