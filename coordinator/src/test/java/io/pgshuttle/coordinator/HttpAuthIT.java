package io.pgshuttle.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgshuttle.coordinator.ApiClient.Reply;
import io.pgshuttle.coordinator.http.ApiToken;
import io.pgshuttle.coordinator.http.HttpApi;
import io.pgshuttle.coordinator.http.Route;
import io.pgshuttle.coordinator.http.Scope;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.MigrationRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Bearer tokens and scopes: who may call what, and that a refusal changes nothing. */
class HttpAuthIT extends WithCoordinatorFixture {
  private static final String READ = CoordinatorFixture.READ.token().reveal();

  @Test
  void aMissingOrUnknownTokenIs401AndAReadTokenCannotOperateAndNothingChanges() throws Exception {
    int port = fixture.start().httpPort();
    fixture.agent("vm-auth");
    MigrationRequest request = CoordinatorFixture.request("req-auth", "vm-auth", "auth-pw");
    String body =
        new String(fixture.codec.encode(Envelope.ofRequest(request)), StandardCharsets.UTF_8);
    MigrationId id = request.migrationId();

    for (ApiClient client :
        List.of(new ApiClient(port, null), new ApiClient(port, "not-a-known-token-at-all"))) {
      for (Reply refused :
          List.of(
              client.get("/v1/migrations"),
              client.get("/v1/migrations/" + id),
              client.get("/metrics"),
              client.get("/v1/gc/" + id),
              client.post("/v1/migrations", body),
              client.post("/v1/migrations/" + id + "/cancel", "{}"),
              client.post("/v1/gc", ""))) {
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.wwwAuthenticate()).isEqualTo("Bearer");
        assertThat(refused.json().get("error").asText())
            .contains("send a valid API token as 'Authorization: Bearer <token>'");
      }
    }

    ApiClient reader = new ApiClient(port, READ);
    for (Reply forbidden :
        List.of(
            reader.post("/v1/migrations", body),
            reader.post("/v1/migrations/" + id + "/cancel", "{}"),
            reader.post("/v1/gc", ""))) {
      assertThat(forbidden.status()).isEqualTo(403);
      assertThat(forbidden.json().get("error").asText())
          .startsWith("token 'test-reader' has scope read: POST /v1/")
          .endsWith("needs a token of scope operate");
    }
    assertThat(fixture.storeValue("SELECT count(*) FROM pgshuttle.migrations")).isEqualTo("0");
    assertThat(fixture.storeValue("SELECT count(*) FROM pgshuttle.outbox")).isEqualTo("0");
    assertThat(fixture.storeValue("SELECT count(*) FROM pgshuttle.sweeps")).isEqualTo("0");

    assertThat(reader.get("/v1/migrations").status()).isEqualTo(200);
    assertThat(reader.get("/v1/migrations/" + id).status()).isEqualTo(404);
    assertThat(reader.get("/metrics").status()).isEqualTo(200);
    assertThat(new ApiClient(port).post("/v1/migrations", body).status()).isEqualTo(202);
  }

  @Test
  void everyRouteThatNeedsATokenRefusesNoneAndEveryOperateRouteRefusesAReadToken()
      throws Exception {
    int port = fixture.start().httpPort();
    ApiClient anonymous = new ApiClient(port, null);
    ApiClient reader = new ApiClient(port, READ);
    List<Route> routes = fixture.get(HttpApi.class).routes();
    assertThat(routes.stream().filter(route -> route.scope() != null))
        .hasSizeGreaterThanOrEqualTo(15);

    for (Route route : routes) {
      if (route.scope() == null) {
        continue;
      }
      String path = route.template().replace("{id}", UUID.randomUUID().toString());
      Reply refused = call(anonymous, route.method(), path);
      assertThat(refused.status()).as(route.method() + " " + path).isEqualTo(401);
      assertThat(refused.json().get("error").asText()).contains("Authorization: Bearer");
      if (route.scope() == Scope.OPERATE) {
        Reply forbidden = call(reader, route.method(), path);
        assertThat(forbidden.status()).as(route.method() + " " + path).isEqualTo(403);
      }
    }
    for (String table : List.of("migrations", "outbox", "sweeps", "dead_letters", "audit_log")) {
      assertThat(fixture.storeValue("SELECT count(*) FROM pgshuttle." + table))
          .as(table)
          .isEqualTo("0");
    }
  }

  private static Reply call(ApiClient client, String method, String path) throws Exception {
    return switch (method) {
      case "GET" -> client.get(path);
      case "POST" -> client.post(path, "{}");
      case "DELETE" -> client.delete(path);
      default -> throw new AssertionError("no test call for " + method);
    };
  }

  @Test
  void healthAndTheOpenApiDocumentAreOpenAndUnknownPathsAre404() throws Exception {
    int port = fixture.start().httpPort();
    ApiClient anonymous = new ApiClient(port, null);

    assertThat(anonymous.get("/healthz").status()).isEqualTo(200);
    Reply openApi = anonymous.get("/openapi.json");
    assertThat(openApi.status()).isEqualTo(200);
    assertThat(openApi.json().get("openapi").asText()).startsWith("3.0");
    assertThat(openApi.json().get("paths").has("/v1/migrations")).isTrue();
    assertThat(anonymous.get("/v1/nothing").status()).isEqualTo(404);
  }

  @Test
  void withNoTokenConfiguredEveryRequestButTheOpenOnesIsRefused() throws Exception {
    int port = fixture.start(fixture.config(List.<ApiToken>of())).httpPort();

    Reply refused = new ApiClient(port).get("/v1/migrations");
    assertThat(refused.status()).isEqualTo(401);
    assertThat(refused.json().get("error").asText())
        .startsWith("the coordinator has no API token configured")
        .contains("PGSHUTTLE_API_TOKENS");
    assertThat(new ApiClient(port, null).get("/healthz").status()).isEqualTo(200);
  }
}
