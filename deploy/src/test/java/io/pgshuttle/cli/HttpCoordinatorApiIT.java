package io.pgshuttle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The status commands against a real HTTP server answering like the coordinator. */
class HttpCoordinatorApiIT {
  private static final String PATH = "/v1/migrations/" + StatusSamples.MIGRATION_ID;

  private final StubCoordinator coordinator = new StubCoordinator();
  private final LiveBackends backends = new LiveBackends(Timings.standard());

  @AfterEach
  void stop() {
    coordinator.close();
  }

  @Test
  void statusReadsTheMigrationOverHttp() {
    coordinator.answer(PATH, 200, StatusSamples.succeeded());

    CliRun json = run("status", StatusSamples.MIGRATION_ID, "--json");
    CliRun text = run("status", StatusSamples.MIGRATION_ID);

    assertThat(json.exitCode()).as(json.err()).isZero();
    assertThat(json.out()).isEqualTo(StatusSamples.succeeded());
    assertThat(text.out()).contains("State         SUCCEEDED  (attempt 2 of 3)");
    assertThat(coordinator.requests).containsOnly(PATH);
  }

  @Test
  void listPassesItsFiltersAsQueryParameters() {
    coordinator.answer(
        "/v1/migrations", 200, "{\"migrations\": [" + StatusSamples.running() + "]}");

    CliRun run = run("list", "--state", "running", "--instance", "vm-1", "--limit", "5");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains(StatusSamples.MIGRATION_ID + "  vm-1      RUNNING");
    assertThat(coordinator.requests)
        .containsExactly("/v1/migrations?state=RUNNING&instance=vm-1&limit=5");
  }

  @Test
  void auditPassesItsFiltersAsQueryParameters() {
    coordinator.answer("/v1/audit", 200, "{\"entries\": []}");

    CliRun run =
        run(
            "audit",
            "--migration",
            StatusSamples.MIGRATION_ID,
            "--action",
            "gc_requested",
            "--since",
            "2024-05-01T12:00:00Z");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).isEqualTo("No audit entries.\n");
    assertThat(coordinator.requests)
        .containsExactly(
            "/v1/audit?migration="
                + StatusSamples.MIGRATION_ID
                + "&action=GC_REQUESTED&since=2024-05-01T12%3A00%3A00Z");
  }

  @Test
  void cancelPostsTheReasonAsJsonAndAConflictIsExitCode2() {
    String cancelPath = PATH + "/cancel";
    coordinator
        .answer(cancelPath, 202, StatusSamples.cancelling())
        .answer(
            cancelPath,
            409,
            "{\"error\":\"migration ended SUCCEEDED already: there is nothing to cancel\","
                + "\"state\":\"SUCCEEDED\"}");

    CliRun taken = run("cancel", StatusSamples.MIGRATION_ID, "--reason", "wrong \"target\" ü");
    CliRun refused = run("cancel", StatusSamples.MIGRATION_ID);

    assertThat(taken.exitCode()).as(taken.err()).isZero();
    assertThat(taken.out()).contains("requested: the agent of instance vm-1 stops attempt 2");
    assertThat(refused.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(refused.err())
        .contains(
            "the coordinator refused the request: migration ended SUCCEEDED already: there is"
                + " nothing to cancel");
    assertThat(coordinator.posts)
        .containsExactly(
            cancelPath + " {\"reason\":\"wrong \\\"target\\\" ü\"}", cancelPath + " {}");
  }

  @Test
  void gcPostsItsParametersAndFollowsTheSweepByItsId() {
    String id = "8d1f0c3e-5b2a-4f6e-9a7b-1c2d3e4f5a6b";
    String sent =
        "{\"sweepId\": \""
            + id
            + "\", \"trigger\": \"REQUEST\", \"complete\": false, \"instances\":"
            + " [{\"instanceId\": \"vm-1\", \"state\": \"SENT\", \"migrations\": []}]}";
    String reported =
        sent.replace("false", "true")
            .replace(
                "\"SENT\", \"migrations\": []",
                "\"REPORTED\", \"migrations\": [], \"removed\": [{\"kind\": \"DISK\","
                    + " \"name\": \"vol-1\", \"migrationId\": null, \"detail\": null}],"
                    + " \"notRemoved\": []");
    coordinator.answer("/v1/gc", 202, sent).answer("/v1/gc/" + id, 200, reported);

    CliRun run = run("gc", "--instance", "vm-1", "--wait");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("  removed      disk vol-1\n");
    assertThat(coordinator.requests)
        .containsExactly("/v1/gc?instance=vm-1&wait=PT30S", "/v1/gc/" + id);
    assertThat(coordinator.posts).containsExactly("/v1/gc ");
  }

  @Test
  void anUnknownMigrationIsExitCode2() {
    CliRun run = run("status", StatusSamples.MIGRATION_ID);

    assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("knows no migration");
  }

  @Test
  void aRefusalShowsTheCoordinatorsErrorWithExitCode2() {
    coordinator.answer("/v1/migrations", 400, "{\"error\":\"limit must be at most 1000\"}");

    CliRun run = run("list", "--limit", "5000");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err())
        .contains("the coordinator refused the request: limit must be at most 1000");
  }

  @Test
  void aServerErrorIsExitCode3() {
    coordinator.answer(PATH, 500, "{\"error\":\"store unavailable\"}");

    CliRun run = run("status", StatusSamples.MIGRATION_ID);

    assertThat(run.exitCode()).isEqualTo(ExitCodes.UNREACHABLE);
    assertThat(run.err()).contains("answered 500: store unavailable");
  }

  @Test
  void aCoordinatorThatDoesNotAnswerIsExitCode3NamingTheSetting() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }

    CliRun run =
        CliRun.run(
            Map.of("PGSHUTTLE_COORDINATOR_URL", "http://127.0.0.1:" + closedPort),
            backends,
            "status",
            StatusSamples.MIGRATION_ID);

    assertThat(run.exitCode()).isEqualTo(ExitCodes.UNREACHABLE);
    assertThat(run.err())
        .contains("cannot reach the coordinator at http://127.0.0.1:" + closedPort)
        .contains("PGSHUTTLE_COORDINATOR_URL");
  }

  private CliRun run(String... arguments) {
    return CliRun.run(Map.of("PGSHUTTLE_COORDINATOR_URL", coordinator.url()), backends, arguments);
  }
}
