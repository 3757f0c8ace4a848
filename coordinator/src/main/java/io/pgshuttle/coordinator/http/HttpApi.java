package io.pgshuttle.coordinator.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.pgshuttle.coordinator.dispatch.CancelOutcome;
import io.pgshuttle.coordinator.dispatch.MigrationCanceller;
import io.pgshuttle.coordinator.status.MigrationState;
import io.pgshuttle.coordinator.status.MigrationStatus;
import io.pgshuttle.coordinator.status.SweepStatus;
import io.pgshuttle.coordinator.status.SweepTrigger;
import io.pgshuttle.coordinator.store.MigrationFilter;
import io.pgshuttle.coordinator.store.StatusQueries;
import io.pgshuttle.coordinator.store.StoreException;
import io.pgshuttle.coordinator.sweep.LeftoverSweeps;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.Names;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's HTTP endpoints, on the JDK's HTTP server. Every answer is JSON; errors are
 * {@code {"error": "..."}}.
 *
 * <ul>
 *   <li>{@code GET /healthz}: 200 {@code {"status":"ok"}} when store and broker are reachable, else
 *       503 {@code {"status":"unavailable","error":"..."}}.
 *   <li>{@code GET /v1/migrations/{id}}: 200 with a {@link MigrationStatus}; 400 for an id that is
 *       not a UUID; 404 for an unknown one.
 *   <li>{@code GET /v1/migrations?state=&instance=&limit=}: 200 {@code {"migrations": [...]}},
 *       newest first; limit 1 to 1000, default 50; 400 for a bad parameter.
 *   <li>{@code POST /v1/migrations/{id}/cancel} with an optional body {@code {"reason": "..."}}:
 *       202 with the {@link MigrationStatus} after the request (CANCELLED, or RUNNING while the
 *       agent stops the attempt; also for a migration cancelled before, which changes nothing); 409
 *       {@code {"error", "state"}} for a migration that ended SUCCEEDED or FAILED; 404 for an
 *       unknown id; 400 for a malformed id or body.
 *   <li>{@code POST /v1/gc?instance=&wait=}: starts a sweep of leftovers (of one instance, or of
 *       every instance with ended migrations not known to be clean) and answers the {@link
 *       SweepStatus}: 202 at once, or, with {@code wait} (ISO-8601, at most {@code PT1M}), once
 *       every agent reported (200) or the wait ran out (202); 400 for a bad parameter.
 *   <li>{@code GET /v1/gc/{id}}: 200 with the {@link SweepStatus}; 400 for an id that is not a
 *       UUID; 404 for an unknown one.
 *   <li>{@code GET /v1/audit?migration=&action=&since=&limit=}: the audit log, see {@link
 *       AuditApi}.
 * </ul>
 *
 * Other paths answer 404, other methods 405. Thread-safe; requests are served by a small pool (a
 * waiting {@code POST /v1/gc} holds one of its threads, hence the short longest wait).
 */
@Singleton
public final class HttpApi implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HttpApi.class);
  private static final String MIGRATIONS = "/v1/migrations";
  private static final String GC = "/v1/gc";
  private static final Duration MAX_WAIT = Duration.ofMinutes(1);
  private static final int THREADS = 4;
  private static final String EXAMPLE_ID = "123e4567-e89b-12d3-a456-426614174000";
  private static final Pattern CANCEL = Pattern.compile(MIGRATIONS + "/([^/]+)/cancel");
  private static final int MAX_BODY_BYTES = 64 * 1024;
  private static final int MAX_REASON_LENGTH = 1000;

  private final StatusQueries queries;
  private final MigrationCanceller canceller;
  private final LeftoverSweeps sweeps;
  private final HealthCheck health;
  private final AuditApi audit;
  private final ObjectMapper mapper;
  private HttpServer server;
  private ExecutorService executor;

  @Inject
  public HttpApi(
      StatusQueries queries,
      MigrationCanceller canceller,
      LeftoverSweeps sweeps,
      HealthCheck health,
      AuditApi audit,
      ObjectMapper mapper) {
    this.queries = queries;
    this.canceller = canceller;
    this.sweeps = sweeps;
    this.health = health;
    this.audit = audit;
    this.mapper = mapper;
  }

  /**
   * Listens on {@code port} of every interface; 0 picks a free port.
   *
   * @throws IOException if the port cannot be bound
   */
  public synchronized void start(int port) throws IOException {
    if (server != null) {
      throw new IllegalStateException("the HTTP server runs already");
    }
    HttpServer created = HttpServer.create(new InetSocketAddress(port), 0);
    AtomicInteger threads = new AtomicInteger();
    executor =
        Executors.newFixedThreadPool(
            THREADS,
            runnable -> {
              Thread thread = new Thread(runnable, "pgshuttle-http-" + threads.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    created.setExecutor(executor);
    created.createContext("/", this::serve);
    created.start();
    server = created;
  }

  /** The bound port. */
  public synchronized int port() {
    if (server == null) {
      throw new IllegalStateException("the HTTP server is not running");
    }
    return server.getAddress().getPort();
  }

  private void serve(HttpExchange exchange) throws IOException {
    try (exchange) {
      Response response;
      try {
        response = route(exchange);
      } catch (StoreException e) {
        log.warn("cannot answer {}: {}", exchange.getRequestURI(), e.getMessage());
        response = Response.error(503, "the status store cannot answer now: " + e.getMessage());
      } catch (RuntimeException e) {
        log.error("failed to answer {}", exchange.getRequestURI(), e);
        response = Response.error(500, "internal error: " + e.getMessage());
      }
      send(exchange, response);
    }
  }

  private Response route(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    boolean known =
        path.equals("/healthz")
            || path.equals(MIGRATIONS)
            || path.equals(AuditApi.PATH)
            || path.startsWith(MIGRATIONS + "/")
            || path.equals(GC)
            || path.startsWith(GC + "/");
    if (!known) {
      return Response.error(404, "no such resource: " + path);
    }
    Matcher cancel = CANCEL.matcher(path);
    String allowed = cancel.matches() || path.equals(GC) ? "POST" : "GET";
    if (!exchange.getRequestMethod().equals(allowed)) {
      exchange.getResponseHeaders().set("Allow", allowed);
      return Response.error(405, exchange.getRequestMethod() + " is not allowed on " + path);
    }
    if (cancel.matches()) {
      return cancel(cancel.group(1), exchange.getRequestBody(), Callers.name(exchange));
    }
    if (path.equals("/healthz")) {
      return health();
    }
    if (path.equals(GC)) {
      return startSweep(exchange.getRequestURI().getRawQuery(), Callers.name(exchange));
    }
    if (path.startsWith(GC + "/")) {
      return sweep(path.substring(GC.length() + 1));
    }
    if (path.equals(MIGRATIONS)) {
      return list(exchange.getRequestURI().getRawQuery());
    }
    if (path.equals(AuditApi.PATH)) {
      return audit(exchange.getRequestURI().getRawQuery());
    }
    return one(path.substring(MIGRATIONS.length() + 1));
  }

  private Response health() {
    Optional<String> problem = health.problem();
    if (problem.isEmpty()) {
      return new Response(200, Map.of("status", "ok"));
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", "unavailable");
    body.put("error", problem.get());
    return new Response(503, body);
  }

  private Response one(String id) {
    Optional<MigrationId> migrationId = migrationId(id);
    if (migrationId.isEmpty()) {
      return notAMigrationId(id);
    }
    return found(migrationId.get(), 200);
  }

  private Response cancel(String id, InputStream body, String who) throws IOException {
    Optional<MigrationId> migrationId = migrationId(id);
    if (migrationId.isEmpty()) {
      return notAMigrationId(id);
    }
    String reason;
    try {
      reason = cancelReason(body);
    } catch (IllegalArgumentException e) {
      return Response.error(400, e.getMessage());
    }
    CancelOutcome outcome = canceller.cancel(migrationId.get(), reason, who);
    if (outcome instanceof CancelOutcome.AlreadyEnded ended) {
      Map<String, Object> error = new LinkedHashMap<>();
      error.put(
          "error",
          "migration "
              + migrationId.get()
              + " ended "
              + ended.state()
              + " already: there is nothing to cancel");
      error.put("state", ended.state());
      return new Response(409, error);
    }
    if (outcome instanceof CancelOutcome.Unknown) {
      return Response.error(404, "no migration " + migrationId.get());
    }
    return found(migrationId.get(), 202);
  }

  /**
   * The reason of a cancel body: absent, empty or {@code {}} means none.
   *
   * @throws IllegalArgumentException saying what is wrong with the body
   */
  private String cancelReason(InputStream body) throws IOException {
    byte[] bytes = body.readNBytes(MAX_BODY_BYTES + 1);
    if (bytes.length > MAX_BODY_BYTES) {
      throw new IllegalArgumentException(
          "the request body is over " + MAX_BODY_BYTES + " bytes: send {\"reason\": \"...\"}");
    }
    if (new String(bytes, StandardCharsets.UTF_8).isBlank()) {
      return null;
    }
    JsonNode json;
    try {
      json = mapper.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "the request body is not JSON ("
              + e.getOriginalMessage()
              + "): send {\"reason\": \"...\"}");
    }
    if (!json.isObject()) {
      throw new IllegalArgumentException(
          "the request body must be a JSON object such as {\"reason\": \"...\"}");
    }
    JsonNode reason = json.path("reason");
    if (reason.isMissingNode() || reason.isNull()) {
      return null;
    }
    if (!reason.isTextual()) {
      throw new IllegalArgumentException("'reason' must be a string, not " + reason.getNodeType());
    }
    String text = reason.asText().strip();
    if (text.length() > MAX_REASON_LENGTH) {
      throw new IllegalArgumentException(
          "'reason' is " + text.length() + " characters long: keep it to " + MAX_REASON_LENGTH);
    }
    return text.isEmpty() ? null : text;
  }

  private Response startSweep(String rawQuery, String who) {
    Map<String, String> parameters;
    try {
      parameters = parameters(rawQuery);
    } catch (IllegalArgumentException e) {
      return Response.error(400, "malformed query string: " + e.getMessage());
    }
    String instance = parameters.get("instance");
    if (instance != null && instance.isEmpty()) {
      instance = null;
    }
    if (instance != null && !Names.isValidInstanceId(instance)) {
      return Response.error(
          400,
          "instance '"
              + instance
              + "' is invalid: use 1 to 63 letters, digits, '_' or '-', starting with a letter or"
              + " digit");
    }
    String waitText = parameters.get("wait");
    Duration wait = null;
    if (waitText != null && !waitText.isEmpty()) {
      try {
        wait = Duration.parse(waitText);
      } catch (DateTimeParseException e) {
        wait = Duration.ofSeconds(-1);
      }
      if (wait.isNegative() || wait.compareTo(MAX_WAIT) > 0) {
        return Response.error(
            400,
            "wait must be an ISO-8601 duration from PT0S to "
                + MAX_WAIT
                + ", such as PT30S, not '"
                + waitText
                + "'; GET "
                + GC
                + "/{id} shows a sweep later");
      }
    }
    UUID sweepId = sweeps.start(SweepTrigger.REQUEST, instance, who);
    SweepStatus sweep =
        wait == null ? sweeps.status(sweepId).orElseThrow() : sweeps.awaitComplete(sweepId, wait);
    return new Response(wait != null && sweep.complete() ? 200 : 202, sweep);
  }

  private Response sweep(String id) {
    UUID sweepId;
    try {
      sweepId = UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      return Response.error(
          400, "'" + id + "' is not a sweep id: expected a UUID such as " + EXAMPLE_ID);
    }
    return sweeps
        .status(sweepId)
        .map(sweep -> new Response(200, sweep))
        .orElseGet(() -> Response.error(404, "no sweep " + sweepId));
  }

  private static Optional<MigrationId> migrationId(String id) {
    try {
      return Optional.of(MigrationId.parse(id));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static Response notAMigrationId(String id) {
    return Response.error(
        400, "'" + id + "' is not a migration id: expected a UUID such as " + EXAMPLE_ID);
  }

  private Response found(MigrationId migrationId, int status) {
    return queries
        .find(migrationId)
        .map(migration -> new Response(status, migration))
        .orElseGet(() -> Response.error(404, "no migration " + migrationId));
  }

  private Response list(String rawQuery) {
    Map<String, String> parameters;
    try {
      parameters = parameters(rawQuery);
    } catch (IllegalArgumentException e) {
      return Response.error(400, "malformed query string: " + e.getMessage());
    }
    MigrationState state = null;
    String stateText = parameters.get("state");
    if (stateText != null && !stateText.isEmpty()) {
      try {
        state = MigrationState.valueOf(stateText);
      } catch (IllegalArgumentException e) {
        return Response.error(
            400,
            "state '"
                + stateText
                + "' is unknown: use one of "
                + Arrays.toString(MigrationState.values()));
      }
    }
    String instance = parameters.get("instance");
    int limit = MigrationFilter.DEFAULT_LIMIT;
    String limitText = parameters.get("limit");
    if (limitText != null && !limitText.isEmpty()) {
      try {
        limit = Integer.parseInt(limitText);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > MigrationFilter.MAX_LIMIT) {
        return Response.error(
            400,
            "limit must be a number from 1 to "
                + MigrationFilter.MAX_LIMIT
                + ", not '"
                + limitText
                + "'");
      }
    }
    List<MigrationStatus> migrations =
        queries.list(
            new MigrationFilter(
                state, instance == null || instance.isEmpty() ? null : instance, limit));
    return new Response(200, Map.of("migrations", migrations));
  }

  private Response audit(String rawQuery) {
    try {
      AuditApi.Answer answer = audit.list(parameters(rawQuery));
      return new Response(answer.status(), answer.body());
    } catch (IllegalArgumentException e) {
      return Response.error(400, "malformed query string: " + e.getMessage());
    }
  }

  /** The query's parameters; the last of a repeated name wins. */
  private static Map<String, String> parameters(String rawQuery) {
    Map<String, String> parameters = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return parameters;
    }
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int equals = pair.indexOf('=');
      String name = equals < 0 ? pair : pair.substring(0, equals);
      String value = equals < 0 ? "" : pair.substring(equals + 1);
      parameters.put(
          URLDecoder.decode(name, StandardCharsets.UTF_8),
          URLDecoder.decode(value, StandardCharsets.UTF_8));
    }
    return parameters;
  }

  private void send(HttpExchange exchange, Response response) throws IOException {
    byte[] body;
    try {
      body = mapper.writeValueAsBytes(response.body());
    } catch (JsonProcessingException e) {
      throw new IOException("cannot write the response as JSON", e);
    }
    exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    exchange.sendResponseHeaders(response.status(), body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  /** An HTTP status and the value to write as JSON. */
  private record Response(int status, Object body) {
    static Response error(int status, String message) {
      return new Response(status, Map.of("error", message));
    }
  }

  /** Stops listening; requests in progress are cut off (a client asks again). Idempotent. */
  @Override
  public synchronized void close() {
    if (server != null) {
      server.stop(0);
      executor.shutdownNow();
      server = null;
      executor = null;
    }
  }
}
