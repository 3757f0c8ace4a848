package io.pgshuttle.coordinator.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * {@code GET /openapi.json}, open without a token: the OpenAPI 3.0 document of the HTTP API, the
 * resource {@value #DOCUMENT} next to this class. Thread-safe.
 */
public final class OpenApiResource implements Resource {
  /** The document's resource name, relative to this class. */
  public static final String DOCUMENT = "openapi.json";

  private final String document;

  public OpenApiResource() {
    try (InputStream in = OpenApiResource.class.getResourceAsStream(DOCUMENT)) {
      if (in == null) {
        throw new IllegalStateException(DOCUMENT + " is missing from the coordinator's classes");
      }
      document = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + DOCUMENT, e);
    }
  }

  @Override
  public List<Route> routes() {
    return List.of(
        Route.open(
            "GET", "/openapi.json", request -> ApiResponse.text(200, ApiResponse.JSON, document)));
  }
}
