package io.pgshuttle.e2e;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * Reads migration status from the coordinator's HTTP API, as a control plane would, with a bearer
 * token.
 */
final class CoordinatorHttp {
  /** The operate token every e2e coordinator is configured with. */
  static final String OPERATE_TOKEN = "e2e-operate-token-0123456789";

  private static final Set<String> TERMINAL = Set.of("SUCCEEDED", "FAILED", "CANCELLED");

  private final HttpClient client = HttpClient.newHttpClient();
  private final ObjectMapper mapper = new ObjectMapper();
  private final String baseUrl;
  private final String token;

  CoordinatorHttp(int port, String token) {
    this.baseUrl = "http://127.0.0.1:" + port;
    this.token = token;
  }

  String baseUrl() {
    return baseUrl;
  }

  boolean healthy() {
    try {
      return get("/healthz").statusCode() == 200;
    } catch (IOException e) {
      return false;
    }
  }

  /** The status of a migration, empty while the coordinator does not know it. */
  Optional<JsonNode> status(String migrationId) {
    try {
      HttpResponse<String> response = get("/v1/migrations/" + migrationId);
      return response.statusCode() == 200
          ? Optional.of(mapper.readTree(response.body()))
          : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * The first (newest) dead letter the coordinator recorded with {@code reason}, waiting for one.
   */
  JsonNode awaitDeadLetter(String reason, Duration atMost) {
    return await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () ->
                mapper
                    .readTree(get("/v1/dead-letters?reason=" + reason).body())
                    .path("deadLetters")
                    .path(0),
            letter -> !letter.isMissingNode());
  }

  /** Waits until the migration reaches a terminal state and returns that status. */
  JsonNode awaitTerminal(String migrationId, Duration atMost) {
    return awaitState(migrationId, atMost, TERMINAL);
  }

  /** Waits until the migration's state is one of {@code states}. */
  JsonNode awaitState(String migrationId, Duration atMost, Set<String> states) {
    JsonNode[] last = new JsonNode[1];
    await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              last[0] = status(migrationId).orElse(null);
              return last[0] != null && states.contains(last[0].path("state").asText());
            });
    return last[0];
  }

  private HttpResponse<String> get(String path) throws IOException {
    try {
      return client.send(
          HttpRequest.newBuilder(URI.create(baseUrl + path))
              .timeout(Duration.ofSeconds(5))
              .header("Authorization", "Bearer " + token)
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }
}
