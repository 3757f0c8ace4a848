package io.pgshuttle.client.internal;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Builds the {@link HttpCall}s of the coordinator's API: base URI, query string, JSON and the
 * bearer token. Pure and thread-safe. {@link #toString()} names the coordinator, never the token.
 */
public final class CoordinatorCalls {
  private final String base;
  private final String authorization;

  /**
   * @param baseUri the coordinator's base URI, such as {@code http://coordinator:8080}
   * @param bearerToken the token to send, or null to send none
   */
  public CoordinatorCalls(URI baseUri, String bearerToken) {
    String text = baseUri.toString();
    this.base = text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
    this.authorization = bearerToken == null ? null : "Bearer " + bearerToken;
  }

  /** A GET of JSON. */
  public HttpCall get(String path, Map<String, String> query) {
    return call("GET", path, query, null, "application/json");
  }

  /** A POST of {@code json} (or of no body when null), answered with JSON. */
  public HttpCall post(String path, Map<String, String> query, String json) {
    return call("POST", path, query, json, "application/json");
  }

  /** A DELETE, answered with JSON. */
  public HttpCall delete(String path) {
    return call("DELETE", path, Map.of(), null, "application/json");
  }

  /**
   * A GET of a Server-Sent Events stream, resuming after {@code lastEventId} when it is not null.
   */
  public HttpCall stream(String path, Map<String, String> query, Long lastEventId) {
    HttpCall call = call("GET", path, query, null, "text/event-stream");
    if (lastEventId == null) {
      return call;
    }
    Map<String, String> headers = new LinkedHashMap<>(call.headers());
    headers.put("Last-Event-ID", Long.toString(lastEventId));
    return new HttpCall(call.method(), call.uri(), headers, null);
  }

  /** A query of the entries of {@code pairs} (name, value, name, value...) whose value is set. */
  public static Map<String, String> query(Object... pairs) {
    Map<String, String> query = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      if (pairs[i + 1] != null) {
        query.put((String) pairs[i], pairs[i + 1].toString());
      }
    }
    return query;
  }

  private HttpCall call(
      String method, String path, Map<String, String> query, String json, String accept) {
    StringJoiner parameters = new StringJoiner("&", "?", "").setEmptyValue("");
    query.forEach((name, value) -> parameters.add(name + "=" + encode(value)));
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Accept", accept);
    if (json != null) {
      headers.put("Content-Type", "application/json");
    }
    if (authorization != null) {
      headers.put("Authorization", authorization);
    }
    return new HttpCall(method, URI.create(base + path + parameters), headers, json);
  }

  /** A path segment or query value, percent-encoded. */
  public static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  @Override
  public String toString() {
    return base;
  }
}
