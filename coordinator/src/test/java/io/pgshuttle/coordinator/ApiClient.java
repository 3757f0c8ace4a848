package io.pgshuttle.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * The coordinator's HTTP API as the ITs call it, on 127.0.0.1, with {@link
 * CoordinatorFixture#OPERATE}'s token unless told otherwise. Thread-safe.
 */
final class ApiClient {
  private final HttpClient client = HttpClient.newHttpClient();
  private final ObjectMapper mapper = new ObjectMapper();
  private final int port;
  private final String authorization;

  ApiClient(int port) {
    this(port, CoordinatorFixture.OPERATE.token().reveal());
  }

  /**
   * @param token the bearer token to send; null sends no {@code Authorization} header
   */
  ApiClient(int port, String token) {
    this.port = port;
    this.authorization = token == null ? null : "Bearer " + token;
  }

  Reply get(String path) throws Exception {
    return send(request(path).GET());
  }

  Reply post(String path, String body) throws Exception {
    return send(
        request(path)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  /**
   * Opens an event stream, resuming after {@code lastEventId} unless it is null; the caller closes
   * it.
   */
  EventStreamClient stream(String path, String lastEventId) throws Exception {
    HttpRequest.Builder request = request(path).header("Accept", "text/event-stream").GET();
    if (lastEventId != null) {
      request.header("Last-Event-ID", lastEventId);
    }
    return new EventStreamClient(
        client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream()));
  }

  Reply delete(String path) throws Exception {
    return send(request(path).DELETE());
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return request;
  }

  private Reply send(HttpRequest.Builder request) throws Exception {
    HttpResponse<String> response =
        client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    String contentType = response.headers().firstValue("Content-Type").orElse("");
    return new Reply(
        response.statusCode(),
        contentType,
        response.headers().firstValue("Allow").orElse(""),
        response.headers().firstValue("WWW-Authenticate").orElse(""),
        response.body(),
        contentType.startsWith("application/json") ? mapper.readTree(response.body()) : null);
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  /** An answer: its status, three headers, and its body as text and as JSON (null if not JSON). */
  record Reply(
      int status,
      String contentType,
      String allow,
      String wwwAuthenticate,
      String body,
      JsonNode json) {}
}
