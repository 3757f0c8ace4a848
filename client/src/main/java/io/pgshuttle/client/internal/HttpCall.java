package io.pgshuttle.client.internal;

import java.net.URI;
import java.util.Map;
import java.util.Objects;

/**
 * One HTTP request as it goes over the wire. Immutable. {@link #toString()} leaves out the headers,
 * which carry the bearer token.
 *
 * @param body the request body, or null for none
 */
public record HttpCall(String method, URI uri, Map<String, String> headers, String body) {
  public HttpCall {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(uri, "uri");
    headers = Map.copyOf(headers);
  }

  @Override
  public String toString() {
    return method + " " + uri;
  }
}
