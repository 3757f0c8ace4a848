package io.pgshuttle.coordinator.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The dashboard's static files under {@value #PATH}: a page in plain HTML, CSS and JavaScript that
 * shows the fleet's migrations and calls the JSON API from the browser with the operator's token.
 * The files hold no data and are served without a token; every API call the page makes sends one.
 *
 * <ul>
 *   <li>{@code GET /ui/} (or {@code HEAD}): the page; {@code /ui/dashboard.js}, {@code
 *       /ui/dashboard.css}: its script and style.
 *   <li>Any other path under {@code /ui/}: 404 {@code {"error": "..."}}; other methods: 405.
 * </ul>
 *
 * Every file is answered with a Content-Security-Policy that allows only the page's own script,
 * style and API, so text that slips into the page cannot run or load anything. Thread-safe:
 * immutable after construction, which reads the files once from the class path.
 */
@Singleton
public final class Dashboard implements HttpHandler, Resource {
  /** Where the dashboard lives; {@code /} redirects here. */
  public static final String PATH = "/ui/";

  private static final String RESOURCES = "dashboard/";
  private static final Map<String, String> FILES =
      Map.of(
          "", "index.html",
          "dashboard.js", "dashboard.js",
          "dashboard.css", "dashboard.css");
  private static final Map<String, String> CONTENT_TYPES =
      Map.of(
          "html", "text/html; charset=utf-8",
          "js", "text/javascript; charset=utf-8",
          "css", "text/css; charset=utf-8");
  private static final String CONTENT_SECURITY_POLICY =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
          + " connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

  private final ObjectMapper mapper;
  private final Map<String, byte[]> contents;

  @Inject
  public Dashboard(ObjectMapper mapper) {
    this.mapper = mapper;
    this.contents =
        FILES.values().stream()
            .collect(Collectors.toUnmodifiableMap(name -> name, Dashboard::read));
  }

  /** {@code GET /} and {@code GET /ui}, open: 302 to {@value #PATH}. */
  @Override
  public List<Route> routes() {
    return List.of(
        Route.open("GET", "/", this::redirect), Route.open("GET", "/ui", this::redirect));
  }

  private ApiResponse redirect(ApiRequest request) {
    return ApiResponse.json(302, Map.of("location", PATH)).withHeader("Location", PATH);
  }

  private static byte[] read(String name) {
    try (InputStream in = Dashboard.class.getResourceAsStream(RESOURCES + name)) {
      if (in == null) {
        throw new IllegalStateException(
            "the dashboard file " + name + " is missing from the coordinator's jar: rebuild it");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the dashboard file " + name, e);
    }
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      String method = exchange.getRequestMethod();
      String file = path.startsWith(PATH) ? FILES.get(path.substring(PATH.length())) : null;
      if (file == null) {
        sendError(exchange, 404, "no such dashboard file: " + path + "; the dashboard is " + PATH);
        return;
      }
      if (!method.equals("GET") && !method.equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        sendError(exchange, 405, method + " is not allowed on " + path);
        return;
      }
      byte[] body = contents.get(file);
      var headers = exchange.getResponseHeaders();
      headers.set("Content-Type", CONTENT_TYPES.get(file.substring(file.lastIndexOf('.') + 1)));
      headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
      headers.set("X-Content-Type-Options", "nosniff");
      headers.set("Referrer-Policy", "no-referrer");
      // The files change with the coordinator's version: let the browser ask again each time.
      headers.set("Cache-Control", "no-cache");
      if (method.equals("HEAD")) {
        exchange.sendResponseHeaders(200, -1);
        return;
      }
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private void sendError(HttpExchange exchange, int status, String message) throws IOException {
    byte[] body = mapper.writeValueAsBytes(Map.of("error", message));
    exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }
}
