package io.pgshuttle.coordinator.http;

import java.util.List;

/**
 * A group of endpoints of the HTTP API. Each is bound into the API's set in {@link HttpModule};
 * implementations are thread-safe.
 */
public interface Resource {
  /** The routes this resource serves; the same on every call. */
  List<Route> routes();
}
