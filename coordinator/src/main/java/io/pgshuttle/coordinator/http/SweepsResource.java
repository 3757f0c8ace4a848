package io.pgshuttle.coordinator.http;

import io.pgshuttle.coordinator.status.SweepStatus;
import io.pgshuttle.coordinator.status.SweepTrigger;
import io.pgshuttle.coordinator.sweep.LeftoverSweeps;
import io.pgshuttle.messages.Names;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Sweeps of leftovers. Thread-safe.
 *
 * <ul>
 *   <li>{@code POST /v1/gc?instance=&wait=} (operate): starts a sweep (of one instance, or of every
 *       instance with ended migrations not known to be clean) and answers the {@link SweepStatus}:
 *       202 at once, or, with {@code wait} (ISO-8601, at most {@code PT1M}), once every agent
 *       reported (200) or the wait ran out (202); 400 for a bad parameter.
 *   <li>{@code GET /v1/gc/{id}} (read): 200 with the {@link SweepStatus}; 400 for an id that is not
 *       a UUID; 404 for an unknown one.
 * </ul>
 */
public final class SweepsResource implements Resource {
  private static final String GC = "/v1/gc";
  private static final Duration MAX_WAIT = Duration.ofMinutes(1);

  private final LeftoverSweeps sweeps;

  @Inject
  public SweepsResource(LeftoverSweeps sweeps) {
    this.sweeps = sweeps;
  }

  @Override
  public List<Route> routes() {
    return List.of(
        Route.operate("POST", GC, this::start),
        Route.read("GET", GC + "/{id}", request -> sweep(request.pathParameter(0))));
  }

  private ApiResponse start(ApiRequest request) {
    Map<String, String> parameters = request.parameters();
    String instance = parameters.get("instance");
    if (instance != null && instance.isEmpty()) {
      instance = null;
    }
    if (instance != null && !Names.isValidInstanceId(instance)) {
      return ApiResponse.error(
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
        return ApiResponse.error(
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
    UUID sweepId = sweeps.start(SweepTrigger.REQUEST, instance);
    SweepStatus sweep =
        wait == null ? sweeps.status(sweepId).orElseThrow() : sweeps.awaitComplete(sweepId, wait);
    return ApiResponse.json(wait != null && sweep.complete() ? 200 : 202, sweep);
  }

  private ApiResponse sweep(String id) {
    UUID sweepId;
    try {
      sweepId = UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      return ApiResponse.error(
          400,
          "'"
              + id
              + "' is not a sweep id: expected a UUID such as "
              + MigrationsResource.EXAMPLE_ID);
    }
    return sweeps
        .status(sweepId)
        .map(sweep -> ApiResponse.json(200, sweep))
        .orElseGet(() -> ApiResponse.error(404, "no sweep " + sweepId));
  }
}
