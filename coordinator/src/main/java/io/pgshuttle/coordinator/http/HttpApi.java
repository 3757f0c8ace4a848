package io.pgshuttle.coordinator.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.pgshuttle.coordinator.store.StoreException;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's HTTP API on the JDK's HTTP server: routes the requests to the {@link Route}s of
 * every bound {@link Resource}, after checking the bearer token a route's {@link Scope} needs.
 * Errors are {@code {"error": "..."}}: 400 for a {@link BadRequest}, 401 with {@code
 * WWW-Authenticate: Bearer} for a missing or unknown token, 403 for a token without the scope, 404
 * for a path no route serves, 405 with {@code Allow} for a method none of its routes takes, 503
 * when the store cannot answer. The endpoints are described in {@code openapi.json} (served at
 * {@code GET /openapi.json}). The {@link Dashboard}'s static files are served apart, under {@value
 * Dashboard#PATH}, without a token.
 *
 * <p>Thread-safe; requests are served by a small pool (a waiting {@code POST /v1/gc} holds one of
 * its threads).
 */
@Singleton
public final class HttpApi implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HttpApi.class);
  private static final int THREADS = 4;

  private final List<Route> routes;
  private final Authenticator authenticator;
  private final Dashboard dashboard;
  private final ObjectMapper mapper;
  private HttpServer server;
  private ExecutorService executor;

  @Inject
  public HttpApi(
      Set<Resource> resources,
      Authenticator authenticator,
      Dashboard dashboard,
      ObjectMapper mapper) {
    this.routes =
        resources.stream()
            .flatMap(resource -> resource.routes().stream())
            .sorted(Comparator.comparing(Route::template).thenComparing(Route::method))
            .toList();
    this.authenticator = authenticator;
    this.dashboard = dashboard;
    this.mapper = mapper;
  }

  /** Every route served, sorted by template and method. */
  public List<Route> routes() {
    return routes;
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
    created.createContext(Dashboard.PATH, dashboard);
    created.start();
    server = created;
    if (!authenticator.anyConfigured()) {
      log.warn(
          "no API token is configured: the HTTP API refuses every request but /healthz and"
              + " /openapi.json. Configure one as coordinator.apiTokens in the configuration file"
              + " ([{name: ops, scope: operate, token: ...}]) or as"
              + " PGSHUTTLE_API_TOKENS=NAME:SCOPE:TOKEN[,...], scope read or operate");
    }
  }

  /** The bound port. */
  public synchronized int port() {
    if (server == null) {
      throw new IllegalStateException("the HTTP server is not running");
    }
    return server.getAddress().getPort();
  }

  private void serve(HttpExchange exchange) throws IOException {
    ApiResponse response;
    try {
      response = answer(exchange);
    } catch (IOException e) {
      exchange.close();
      throw e;
    }
    if (response.handOver() != null) {
      // The receiver answers and closes the exchange, on a thread of its own (a stream).
      response.handOver().serve(exchange);
      return;
    }
    try (exchange) {
      send(exchange, response);
    }
  }

  private ApiResponse answer(HttpExchange exchange) throws IOException {
    try {
      return route(exchange);
    } catch (BadRequest e) {
      return ApiResponse.error(400, e.getMessage());
    } catch (StoreException e) {
      log.warn("cannot answer {}: {}", exchange.getRequestURI().getPath(), e.getMessage());
      return ApiResponse.error(503, "the status store cannot answer now: " + e.getMessage());
    } catch (RuntimeException e) {
      log.error("failed to answer {}", exchange.getRequestURI().getPath(), e);
      return ApiResponse.error(500, "internal error: " + e.getMessage());
    }
  }

  private ApiResponse route(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    String method = exchange.getRequestMethod();
    Set<String> allowed = new TreeSet<>();
    for (Route route : routes) {
      Optional<List<String>> parameters = route.match(path);
      if (parameters.isEmpty()) {
        continue;
      }
      if (!route.method().equals(method)) {
        allowed.add(route.method());
        continue;
      }
      Optional<ApiToken> caller = Optional.empty();
      if (route.scope() != null) {
        caller = authenticator.authenticate(exchange.getRequestHeaders().getFirst("Authorization"));
        Optional<ApiResponse> refusal = refusal(route, caller);
        if (refusal.isPresent()) {
          return refusal.get();
        }
      }
      return route
          .handler()
          .handle(
              new ApiRequest(
                  parameters.get(),
                  exchange.getRequestURI().getRawQuery(),
                  exchange.getRequestBody(),
                  caller));
    }
    if (allowed.isEmpty()) {
      return ApiResponse.error(404, "no such resource: " + path);
    }
    return ApiResponse.error(405, method + " is not allowed on " + path)
        .withHeader("Allow", String.join(", ", allowed));
  }

  private Optional<ApiResponse> refusal(Route route, Optional<ApiToken> caller) {
    if (caller.isEmpty()) {
      String message =
          authenticator.anyConfigured()
              ? "send a valid API token as 'Authorization: Bearer <token>'; tokens are configured"
                  + " in coordinator.apiTokens or PGSHUTTLE_API_TOKENS"
              : "the coordinator has no API token configured, so it refuses every request: configure"
                  + " one in coordinator.apiTokens or PGSHUTTLE_API_TOKENS and send it as"
                  + " 'Authorization: Bearer <token>'";
      return Optional.of(ApiResponse.error(401, message).withHeader("WWW-Authenticate", "Bearer"));
    }
    if (!caller.get().scope().covers(route.scope())) {
      return Optional.of(
          ApiResponse.error(
              403,
              "token '"
                  + caller.get().name()
                  + "' has scope "
                  + caller.get().scope().wireName()
                  + ": "
                  + route.method()
                  + " "
                  + route.template()
                  + " needs a token of scope "
                  + route.scope().wireName()));
    }
    return Optional.empty();
  }

  private void send(HttpExchange exchange, ApiResponse response) throws IOException {
    byte[] body;
    if (response.bytes() != null) {
      body = response.bytes();
    } else {
      try {
        body = mapper.writeValueAsBytes(response.json());
      } catch (JsonProcessingException e) {
        throw new IOException("cannot write the response as JSON", e);
      }
    }
    for (Map.Entry<String, String> header : response.headers().entrySet()) {
      exchange.getResponseHeaders().set(header.getKey(), header.getValue());
    }
    exchange.getResponseHeaders().set("Content-Type", response.contentType());
    exchange.sendResponseHeaders(response.status(), body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
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
