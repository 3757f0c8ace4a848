package io.pgshuttle.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** The coordinator's HTTP API as the ITs call it, on 127.0.0.1. Thread-safe. */
final class ApiClient {
  private final HttpClient client = HttpClient.newHttpClient();
  private final ObjectMapper mapper = new ObjectMapper();
  private final int port;

  ApiClient(int port) {
    this.port = port;
  }

  Reply get(String path) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).GET().build());
  }

  Reply post(String path, String body) throws Exception {
    return send(
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  /**
   * Opens an event stream, resuming after {@code lastEventId} unless it is null; the caller closes
   * it.
   */
  EventStreamClient stream(String path, String lastEventId) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri(path)).header("Accept", "text/event-stream").GET();
    if (lastEventId != null) {
      request.header("Last-Event-ID", lastEventId);
    }
    return new EventStreamClient(
        client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream()));
  }

  private Reply send(HttpRequest request) throws Exception {
    HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
    return new Reply(
        response.statusCode(),
        response.headers().firstValue("Content-Type").orElse(""),
        response.headers().firstValue("Allow").orElse(""),
        response.body(),
        mapper.readTree(response.body()));
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  /** An answer: its status, two headers, and its body as text and as JSON. */
  record Reply(int status, String contentType, String allow, String body, JsonNode json) {}
}
