package io.pgshuttle.coordinator.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;

/** Who makes an HTTP request, for the audit log. Stateless. */
final class Callers {
  /** Who, for a request that no authenticator named. */
  static final String ANONYMOUS = "http";

  private Callers() {}

  /** The authenticated caller's name, or {@link #ANONYMOUS} when the server authenticates none. */
  static String name(HttpExchange exchange) {
    HttpPrincipal principal = exchange.getPrincipal();
    return principal == null ? ANONYMOUS : principal.getUsername();
  }
}
