package io.pgshuttle.e2e;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgshuttle.messages.Topology;
import io.pgshuttle.testkit.PostgresCluster;
import io.pgshuttle.testkit.TestBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A pgshuttle installation for end-to-end tests: a namespace on the local RabbitMQ (or on a broker
 * of the test's own), a status store cluster, a coordinator process, and agent processes each with
 * its own disk root and state directory. Everything it started is stopped and removed by {@link
 * #close()}.
 */
final class E2eEnvironment implements AutoCloseable {
  private final String amqpUri;
  private final Path work;
  private final String namespace = TestBroker.freshNamespace();
  private final PostgresCluster store = PostgresCluster.startTrusting();
  private final int httpPort = freePort();
  private final CoordinatorHttp http = new CoordinatorHttp(httpPort);
  private final List<PgShuttleProcess> processes = new ArrayList<>();
  private final List<String> instances = new ArrayList<>();
  private final ObjectMapper mapper = new ObjectMapper();
  private PgShuttleProcess coordinator;
  private int coordinatorRuns;

  /** An installation on the test broker ({@link TestBroker#uri()}). */
  E2eEnvironment() {
    this(TestBroker.uri());
  }

  /**
   * An installation on the broker at {@code amqpUri}, such as a {@code RabbitNode} of the test's
   * own; {@link #close()} leaves the broker objects on it to go with it.
   */
  E2eEnvironment(String amqpUri) {
    this.amqpUri = amqpUri;
    try {
      work = Files.createTempDirectory("pgshuttle-e2e-");
      Path config = work.resolve("coordinator.yml");
      Files.writeString(
          config,
          "coordinator:\n"
              + "  heartbeatTimeout: PT60S\n"
              + "  retryInitialBackoff: PT10S\n"
              + "  retryMaxBackoff: PT10S\n");
      coordinator = launchCoordinator();
      await().atMost(Duration.ofSeconds(60)).until(http::healthy);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private PgShuttleProcess launchCoordinator() {
    coordinatorRuns++;
    Map<String, String> env = baseEnvironment();
    env.put("PGSHUTTLE_STORE_URL", store.jdbcUrl("postgres"));
    env.put("PGSHUTTLE_STORE_USER", PostgresCluster.SUPERUSER);
    env.put("PGSHUTTLE_HTTP_PORT", Integer.toString(httpPort));
    PgShuttleProcess started =
        PgShuttleProcess.start(
            List.of("coordinator", "--config", work.resolve("coordinator.yml").toString()),
            env,
            work.resolve(coordinatorName() + ".log"));
    processes.add(started);
    return started;
  }

  /**
   * Stops the coordinator (SIGTERM) and starts another on the same store and port, without waiting
   * for it to serve; see {@link #awaitCoordinatorHealthy()}.
   */
  void restartCoordinator() {
    coordinator.close();
    processes.remove(coordinator);
    coordinator = launchCoordinator();
  }

  /** Waits until the coordinator answers its health check. */
  void awaitCoordinatorHealthy() {
    await().atMost(Duration.ofSeconds(90)).until(http::healthy);
  }

  /** The log (standard error) of the coordinator process started last. */
  Path coordinatorLog() {
    return work.resolve(coordinatorName() + ".log.err");
  }

  private String coordinatorName() {
    return coordinatorRuns == 1 ? "coordinator" : "coordinator-" + coordinatorRuns;
  }

  CoordinatorHttp http() {
    return http;
  }

  Topology topology() {
    return new Topology(namespace);
  }

  Path work() {
    return work;
  }

  /** Where the agent of {@code instance} makes its disks. */
  Path diskRoot(String instance) {
    return work.resolve("disks-" + instance);
  }

  /** Starts an agent for {@code instance} on {@code source}, with {@code overrides} applied. */
  PgShuttleProcess startAgent(
      String instance, PostgresCluster source, Map<String, String> overrides) {
    return startAgent(instance, source, overrides, List.of());
  }

  /** As above, with extra arguments for {@code pgshuttle agent} (such as {@code --config}). */
  PgShuttleProcess startAgent(
      String instance,
      PostgresCluster source,
      Map<String, String> overrides,
      List<String> arguments) {
    PgShuttleProcess agent = launchAgent(instance, source, overrides, arguments);
    awaitAgentConsuming(instance);
    return agent;
  }

  /** Starts an agent process as {@link #startAgent} does, without waiting for it to consume. */
  PgShuttleProcess launchAgent(
      String instance,
      PostgresCluster source,
      Map<String, String> overrides,
      List<String> arguments) {
    try {
      Files.createDirectories(diskRoot(instance));
      Map<String, String> env = baseEnvironment();
      env.put("PGSHUTTLE_INSTANCE", instance);
      env.put("PGSHUTTLE_SOURCE_URL", source.url());
      env.put("PGSHUTTLE_PG_BINDIR", PostgresCluster.defaultBinDir().toString());
      env.put("PGSHUTTLE_IAAS", "local");
      env.put("PGSHUTTLE_LOCAL_DISK_ROOT", diskRoot(instance).toString());
      env.put("PGSHUTTLE_STATE_DIR", work.resolve("state-" + instance).toString());
      env.putAll(overrides);
      List<String> command = new ArrayList<>(List.of("agent"));
      command.addAll(arguments);
      PgShuttleProcess agent =
          PgShuttleProcess.start(command, env, work.resolve("agent-" + instance + ".log"));
      processes.add(agent);
      instances.add(instance);
      return agent;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until the agent of {@code instance} has said it consumes its queue. */
  void awaitAgentConsuming(String instance) {
    Path agentLog = agentLog(instance);
    await()
        .atMost(Duration.ofSeconds(90))
        .until(() -> Files.exists(agentLog) && Files.readString(agentLog).contains("consuming"));
  }

  /** The log (standard error) of the agent of {@code instance}. */
  Path agentLog(String instance) {
    return work.resolve("agent-" + instance + ".log.err");
  }

  /**
   * Runs {@code pgshuttle submit --json} for {@code instance} to {@code target}, with the target
   * password in the environment, and returns the migration id it printed.
   */
  String submit(String instance, PostgresCluster target, List<String> extraArguments) {
    return submit(instance, target.port(), target.password(), extraArguments);
  }

  String submit(String instance, int targetPort, String password, List<String> extraArguments) {
    List<String> arguments = new ArrayList<>();
    arguments.addAll(
        List.of(
            "submit",
            "--instance",
            instance,
            "--target",
            "postgresql://" + PostgresCluster.SUPERUSER + "@127.0.0.1:" + targetPort,
            "--json"));
    arguments.addAll(extraArguments);
    Map<String, String> env = baseEnvironment();
    if (password != null) {
      env.put("PGSHUTTLE_TARGET_PASSWORD", password);
    }
    PgShuttleProcess.Result result =
        PgShuttleProcess.run(arguments, env, work.resolve("submit-" + UUID.randomUUID() + ".log"));
    if (result.exitCode() != 0) {
      throw new IllegalStateException(
          "submit exited " + result.exitCode() + ": " + result.output() + result.errors());
    }
    try {
      JsonNode printed = mapper.readTree(result.output());
      return printed.path("migrationId").asText();
    } catch (IOException e) {
      throw new IllegalStateException("submit printed no JSON: " + result.output(), e);
    }
  }

  /** The environment every pgshuttle process of this installation gets. */
  Map<String, String> baseEnvironment() {
    Map<String, String> env = new HashMap<>();
    env.put("PGSHUTTLE_AMQP_URI", amqpUri);
    env.put("PGSHUTTLE_NAMESPACE", namespace);
    env.put("PGSHUTTLE_COORDINATOR_URL", http.baseUrl());
    return env;
  }

  /** Every log so far, for a failure message. */
  String logs() {
    StringBuilder logs = new StringBuilder();
    try (var files = Files.list(work)) {
      for (Path file : files.filter(f -> f.toString().contains(".log")).sorted().toList()) {
        logs.append("==== ").append(file.getFileName()).append('\n');
        logs.append(Files.readString(file)).append('\n');
      }
    } catch (IOException e) {
      logs.append("(cannot read logs: ").append(e).append(')');
    }
    return logs.toString();
  }

  @Override
  public void close() {
    for (int i = processes.size() - 1; i >= 0; i--) {
      processes.get(i).close();
    }
    store.close();
    if (amqpUri.equals(TestBroker.uri())) {
      deleteBrokerObjects();
    }
    PostgresCluster.deleteRecursively(work);
  }

  private void deleteBrokerObjects() {
    Topology topology = topology();
    List<String> queues =
        new ArrayList<>(
            List.of(
                topology.requestsQueue(),
                topology.requestsDeadLetterQueue(),
                topology.coordinatorEventsQueue()));
    for (String instance : instances) {
      queues.add(topology.agentQueue(instance));
      queues.add(topology.agentControlQueue(instance));
    }
    TestBroker.delete(
        queues,
        List.of(
            topology.requestsDeadLetterExchange(),
            topology.commandsExchange(),
            topology.controlExchange(),
            topology.eventsExchange()));
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Runs {@code pgshuttle <arguments>} to its end as an operator would, with this installation's
   * environment; its output goes to a log of its own under {@link #work()}.
   */
  PgShuttleProcess.Result runCli(List<String> arguments) {
    return PgShuttleProcess.run(
        arguments, baseEnvironment(), work.resolve("cli-" + UUID.randomUUID() + ".log"));
  }

  /** The state of one step of the migration's current attempt; empty while none is known. */
  String stepState(String migrationId, String step) {
    return http.status(migrationId)
        .map(
            status -> {
              for (JsonNode node : status.path("steps")) {
                if (node.path("name").asText().equals(step)) {
                  return node.path("state").asText();
                }
              }
              return "";
            })
        .orElse("");
  }
}
