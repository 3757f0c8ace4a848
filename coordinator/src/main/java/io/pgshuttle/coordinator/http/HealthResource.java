package io.pgshuttle.coordinator.http;

import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /healthz}, open without a token: 200 {@code {"status":"ok"}} when store and broker are
 * reachable, else 503 {@code {"status":"unavailable","error":"..."}}. Thread-safe.
 */
public final class HealthResource implements Resource {
  private final HealthCheck health;

  @Inject
  public HealthResource(HealthCheck health) {
    this.health = health;
  }

  @Override
  public List<Route> routes() {
    return List.of(Route.open("GET", "/healthz", request -> health()));
  }

  private ApiResponse health() {
    Optional<String> problem = health.problem();
    if (problem.isEmpty()) {
      return ApiResponse.json(200, Map.of("status", "ok"));
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", "unavailable");
    body.put("error", problem.get());
    return ApiResponse.json(503, body);
  }
}
