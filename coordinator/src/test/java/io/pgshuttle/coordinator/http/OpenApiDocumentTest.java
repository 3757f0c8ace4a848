package io.pgshuttle.coordinator.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.Guice;
import io.pgshuttle.coordinator.CoordinatorConfig;
import io.pgshuttle.coordinator.CoordinatorModule;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class OpenApiDocumentTest {
  private static final Set<String> METHODS = Set.of("get", "post", "put", "delete", "patch");

  @Test
  void documentsExactlyTheRoutesTheApiServesWithTheirScopes() throws Exception {
    List<Route> routes = served();
    JsonNode document = document();

    Set<String> servedRoutes = new TreeSet<>();
    routes.forEach(route -> servedRoutes.add(route.method() + " " + route.template()));
    Set<String> documented = new TreeSet<>();
    document
        .get("paths")
        .fields()
        .forEachRemaining(
            path ->
                path.getValue()
                    .fieldNames()
                    .forEachRemaining(
                        method -> {
                          if (METHODS.contains(method)) {
                            documented.add(method.toUpperCase(Locale.ROOT) + " " + path.getKey());
                          }
                        }));
    assertThat(documented).isEqualTo(servedRoutes);
    assertThat(servedRoutes).contains("POST /v1/migrations", "GET /metrics", "GET /openapi.json");

    for (Route route : routes) {
      JsonNode operation =
          document.get("paths").get(route.template()).get(route.method().toLowerCase(Locale.ROOT));
      boolean documentedOpen = operation.has("security") && operation.get("security").isEmpty();
      assertThat(documentedOpen).as(route.template()).isEqualTo(route.scope() == null);
    }
  }

  @Test
  void everySchemaReferenceResolves() throws Exception {
    JsonNode document = document();
    assertThat(document.get("openapi").asText()).startsWith("3.0.");
    List<String> references = new ArrayList<>();
    collectReferences(document, references);
    assertThat(references).isNotEmpty();
    for (String reference : references) {
      assertThat(reference).startsWith("#/components/schemas/");
      assertThat(document.at(reference.substring(1)).isObject()).as(reference).isTrue();
    }
  }

  private static void collectReferences(JsonNode node, List<String> references) {
    if (node.has("$ref")) {
      references.add(node.get("$ref").asText());
    }
    node.forEach(child -> collectReferences(child, references));
  }

  private static JsonNode document() throws Exception {
    try (InputStream in = OpenApiResource.class.getResourceAsStream(OpenApiResource.DOCUMENT)) {
      return new ObjectMapper().readTree(in);
    }
  }

  /** The routes of the API as the coordinator wires it; wiring connects to nothing. */
  private static List<Route> served() {
    CoordinatorConfig config = OfflineConfig.withTokens(List.of());
    return Guice.createInjector(new CoordinatorModule(config)).getInstance(HttpApi.class).routes();
  }
}
