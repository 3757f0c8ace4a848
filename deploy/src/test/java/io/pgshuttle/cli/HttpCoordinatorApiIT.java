package io.pgshuttle.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
  void cancelWaitAsksForTheStatusAgainAsSoonAsTheCoordinatorStreamsAnEvent() throws Exception {
    coordinator
        .answer(PATH + "/cancel", 202, StatusSamples.cancelling())
        .answer(PATH, 200, StatusSamples.cancelling())
        .answer(PATH, 200, StatusSamples.succeeded())
        .stream(PATH + "/events", "id: 41\nevent: MigrationSucceeded\ndata: {}\n\n");
    // No test waits out this poll interval: only the streamed event can end the first wait.
    LiveBackends slowPolls = new LiveBackends(withPollInterval(Duration.ofMinutes(10)));

    CliRun run =
        CompletableFuture.supplyAsync(
                () ->
                    CliRun.run(
                        Map.of(
                            "PGSHUTTLE_COORDINATOR_URL",
                            coordinator.url(),
                            "PGSHUTTLE_API_TOKEN",
                            "watch-token"),
                        slowPolls,
                        "cancel",
                        StatusSamples.MIGRATION_ID,
                        "--wait"))
            .get(60, TimeUnit.SECONDS);

    assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.MIGRATION_FAILED);
    assertThat(run.out()).contains("State         SUCCEEDED");
    int stream = coordinator.requests.indexOf(PATH + "/events?after=latest");
    assertThat(stream).isNotNegative();
    assertThat(coordinator.authorizations.get(stream)).isEqualTo("Bearer watch-token");
    // The command ended its stream, though the coordinator kept it open.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(thread -> thread.getName().equals("pgshuttle-event-watch")));
  }

  @Test
  void withoutAnEventStreamTheWaitAsksForTheStatusAtEachPollInterval() {
    coordinator
        .answer(PATH + "/cancel", 202, StatusSamples.cancelling())
        .answer(PATH, 200, StatusSamples.cancelling())
        .answer(PATH, 200, StatusSamples.cancelling())
        .answer(PATH, 200, StatusSamples.succeeded());

    CliRun run =
        CliRun.run(
            Map.of("PGSHUTTLE_COORDINATOR_URL", coordinator.url()),
            new LiveBackends(withPollInterval(Duration.ofMillis(100))),
            "cancel",
            StatusSamples.MIGRATION_ID,
            "--wait");

    assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.MIGRATION_FAILED);
    assertThat(run.out()).contains("State         SUCCEEDED");
    // The stream was refused (404), and three status requests saw the migration to its end.
    assertThat(coordinator.requests)
        .contains(PATH + "/events?after=latest")
        .filteredOn(PATH::equals)
        .hasSize(3);
  }

  private static Timings withPollInterval(Duration pollInterval) {
    Timings standard = Timings.standard();
    return new Timings(
        pollInterval,
        standard.appearTimeout(),
        standard.statusCheckInterval(),
        standard.brokerConnectTimeout(),
        standard.httpTimeout(),
        standard.sweepTimeout());
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
  void theTokenOfPgshuttleApiTokenIsSentAsBearerAndARefusedTokenIsExitCode2NamingIt() {
    coordinator
        .answer(PATH, 200, StatusSamples.succeeded())
        .answer(PATH, 401, "{\"error\":\"send a valid API token\"}");

    CliRun sent =
        CliRun.run(
            Map.of(
                "PGSHUTTLE_COORDINATOR_URL",
                coordinator.url(),
                "PGSHUTTLE_API_TOKEN",
                "cli-token-0123456789"),
            backends,
            "status",
            StatusSamples.MIGRATION_ID,
            "--json");
    CliRun refused = run("status", StatusSamples.MIGRATION_ID);

    assertThat(sent.exitCode()).as(sent.err()).isZero();
    assertThat(coordinator.authorizations).containsExactly("Bearer cli-token-0123456789", "(none)");
    assertThat(refused.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(refused.err())
        .contains("the coordinator refused the request: send a valid API token")
        .contains("PGSHUTTLE_API_TOKEN is not set");
  }

  @Test
  void theTokenAndUrlMayComeFromTheClientSectionOfAConfigFile(@TempDir Path directory)
      throws Exception {
    coordinator.answer(PATH, 200, StatusSamples.succeeded());
    Path file = directory.resolve("client.yml");
    Files.writeString(
        file,
        "client:\n  coordinatorUrl: "
            + coordinator.url()
            + "\n  apiToken: file-token-0123456789\n");

    CliRun run =
        CliRun.run(
            Map.of(),
            backends,
            "status",
            StatusSamples.MIGRATION_ID,
            "--json",
            "--config",
            file.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(coordinator.authorizations).containsExactly("Bearer file-token-0123456789");
  }

  @Test
  void aServerErrorIsExitCode3() {
    coordinator.answer(PATH, 500, "{\"error\":\"store unavailable\"}");

    CliRun run = run("status", StatusSamples.MIGRATION_ID);

    assertThat(run.exitCode()).isEqualTo(ExitCodes.UNREACHABLE);
    assertThat(run.err()).contains("answered 500: store unavailable");
  }

  @Test
  void aRedirectIsNotFollowedSoTheTokenGoesNowhereElse() {
    coordinator.answer(PATH, 307, "").answer("/v1/redirected", 200, StatusSamples.succeeded());

    CliRun run =
        CliRun.run(
            Map.of(
                "PGSHUTTLE_COORDINATOR_URL",
                coordinator.url(),
                "PGSHUTTLE_API_TOKEN",
                "redirect-token"),
            backends,
            "status",
            StatusSamples.MIGRATION_ID);

    assertThat(run.exitCode()).isEqualTo(ExitCodes.UNREACHABLE);
    assertThat(run.err()).contains("answered 307");
    assertThat(coordinator.requests).containsExactly(PATH);
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

  @Test
  void dlqCallsTheDeadLetterEndpointsWithThePasswordOnlyInTheBody() {
    String id = "3b2f1e0d-9c8b-4a7f-8e6d-5c4b3a291807";
    String replayed =
        "{\"id\":\""
            + id
            + "\",\"outcome\":\"REPLAYED\",\"message\":\"sent\",\"migrationId\":null}";
    coordinator
        .answer("/v1/dead-letters", 200, "{\"deadLetters\":[],\"next\":null}")
        .answer("/v1/dead-letters/replay", 200, "{\"results\":[" + replayed + "]}")
        .answer("/v1/dead-letters/" + id + "/replay", 400, "{\"error\":\"send targetPassword\"}")
        .answer("/v1/dead-letters/" + id, 200, "{\"id\":\"" + id + "\",\"deleted\":true}");
    Map<String, String> environment =
        Map.of("PGSHUTTLE_COORDINATOR_URL", coordinator.url(), "PGSHUTTLE_TARGET_PASSWORD", "pw-1");

    CliRun list = run("dlq", "list", "--reason", "instance_busy", "--after", "9");
    CliRun bulk = CliRun.run(environment, backends, "dlq", "replay", "--all", "--instance", "vm-1");
    CliRun refused = run("dlq", "replay", id);
    CliRun drop = run("dlq", "drop", id);

    assertThat(list.exitCode()).as(list.err()).isZero();
    assertThat(bulk.exitCode()).as(bulk.err()).isZero();
    assertThat(bulk.out()).isEqualTo(id + "  REPLAYED  sent\n");
    assertThat(refused.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(refused.err()).contains("the coordinator refused the request: send targetPassword");
    assertThat(drop.out()).isEqualTo("dropped dead letter " + id + "\n");
    assertThat(coordinator.requests)
        .containsExactly(
            "/v1/dead-letters?reason=instance_busy&after=9",
            "/v1/dead-letters/replay?instance=vm-1",
            "/v1/dead-letters/" + id + "/replay",
            "/v1/dead-letters/" + id);
    assertThat(coordinator.posts)
        .containsExactly(
            "/v1/dead-letters/replay {\"targetPassword\":\"pw-1\"}",
            "/v1/dead-letters/" + id + "/replay {}");
  }

  private CliRun run(String... arguments) {
    return CliRun.run(Map.of("PGSHUTTLE_COORDINATOR_URL", coordinator.url()), backends, arguments);
  }
}
