package io.pgshuttle.coordinator.http;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An answer: its status, headers, and either a value to write as JSON or ready bytes. Immutable.
 *
 * @param json the value to write as JSON; null when {@code bytes} holds the body
 * @param bytes the body as sent, of {@code contentType}; null for a JSON answer
 * @param headers headers to add, such as {@code Allow}; never null
 * @param handOver when not null, the request is handed over to it, which answers and closes the
 *     exchange itself (a stream); the other components are then unused
 */
public record ApiResponse(
    int status,
    Object json,
    byte[] bytes,
    String contentType,
    Map<String, String> headers,
    HandOver handOver) {
  static final String JSON = "application/json; charset=utf-8";

  public ApiResponse {
    headers = Map.copyOf(headers);
  }

  /** {@code body} as JSON. */
  public static ApiResponse json(int status, Object body) {
    return new ApiResponse(status, body, null, JSON, Map.of(), null);
  }

  /** {@code body} as it is, in UTF-8. */
  public static ApiResponse text(int status, String contentType, String body) {
    return new ApiResponse(
        status, null, body.getBytes(StandardCharsets.UTF_8), contentType, Map.of(), null);
  }

  /**
   * Takes over an exchange the route table would otherwise answer and close: the receiver sends the
   * status and headers, writes the body and closes the exchange, on any thread.
   */
  @FunctionalInterface
  public interface HandOver {
    void serve(HttpExchange exchange) throws IOException;
  }

  /** Hands the request over to {@code receiver}, which answers it itself. */
  public static ApiResponse handOver(HandOver receiver) {
    return new ApiResponse(200, null, null, null, Map.of(), receiver);
  }

  /** {@code {"error": message}}. */
  public static ApiResponse error(int status, String message) {
    return json(status, Map.of("error", message));
  }

  /** {@code {"error": message, name: value}}. */
  public static ApiResponse error(int status, String message, String name, Object value) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", message);
    body.put(name, value);
    return json(status, body);
  }

  /** This answer with one more header. */
  public ApiResponse withHeader(String name, String value) {
    Map<String, String> more = new LinkedHashMap<>(headers);
    more.put(name, value);
    return new ApiResponse(status, json, bytes, contentType, more, handOver);
  }
}
