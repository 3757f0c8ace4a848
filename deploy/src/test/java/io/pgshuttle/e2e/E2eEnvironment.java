package io.pgshuttle.e2e;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgshuttle.messages.Topology;
import io.pgshuttle.security.KeyAlgorithm;
import io.pgshuttle.security.KeyFiles;
import io.pgshuttle.testkit.PostgresCluster;
import io.pgshuttle.testkit.TestBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A pgshuttle installation for end-to-end tests: a namespace on the local RabbitMQ, a status store
 * cluster, keys made for this run (see {@link #registerAgent}), a coordinator process, and agent
 * processes each with its own keys, disk root and state directory. Everything it started is stopped
 * and removed by {@link #close()}.
 */
final class E2eEnvironment implements AutoCloseable {
  private static final String COORDINATOR_KEY = "coordinator";

  private final Path work;
  private final String namespace = TestBroker.freshNamespace();
  private final PostgresCluster store = PostgresCluster.startTrusting();
  private final int httpPort = freePort();
  private final CoordinatorHttp http = new CoordinatorHttp(httpPort, CoordinatorHttp.OPERATE_TOKEN);
  private final List<PgShuttleProcess> processes = new ArrayList<>();
  private final List<String> instances = new ArrayList<>();
  private final ObjectMapper mapper = new ObjectMapper();
  private final String brokerUri;
  private int coordinatorStarts;
  private PgShuttleProcess coordinator;
  private final Map<String, Path> agentLogs = new HashMap<>();

  E2eEnvironment() {
    this(TestBroker.uri());
  }

  /** An installation on the broker at {@code brokerUri}, such as a test's own node. */
  E2eEnvironment(String brokerUri) {
    this.brokerUri = brokerUri;
    try {
      work = Files.createTempDirectory("pgshuttle-e2e-");
      Files.writeString(
          work.resolve("coordinator.yml"),
          "coordinator:\n"
              + "  heartbeatTimeout: PT60S\n"
              + "  retryInitialBackoff: PT10S\n"
              + "  retryMaxBackoff: PT10S\n");
      KeyFiles.generate(keys(), COORDINATOR_KEY, KeyAlgorithm.ED25519);
      KeyFiles.generate(keys(), COORDINATOR_KEY, KeyAlgorithm.X25519);
      Files.createDirectories(agentKeys());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    startCoordinator(Map.of());
  }

  /**
   * Starts a coordinator process with {@code overrides} added to its environment, and waits until
   * its HTTP API answers. Each start logs to a file of its own.
   */
  PgShuttleProcess startCoordinator(Map<String, String> overrides) {
    PgShuttleProcess started = launchCoordinator(overrides);
    await().atMost(Duration.ofSeconds(60)).until(http::healthy);
    return started;
  }

  /** Starts a coordinator process without waiting for it to answer. */
  PgShuttleProcess launchCoordinator(Map<String, String> overrides) {
    Map<String, String> env = baseEnvironment();
    env.put("PGSHUTTLE_STORE_URL", store.jdbcUrl("postgres"));
    env.put("PGSHUTTLE_STORE_USER", PostgresCluster.SUPERUSER);
    env.put("PGSHUTTLE_HTTP_PORT", Integer.toString(httpPort));
    env.put(
        "PGSHUTTLE_SIGNING_KEY",
        KeyFiles.privateFile(keys(), COORDINATOR_KEY, KeyAlgorithm.ED25519).toString());
    env.put(
        "PGSHUTTLE_EVENT_KEYS",
        KeyFiles.privateFile(keys(), COORDINATOR_KEY, KeyAlgorithm.X25519).toString());
    env.put("PGSHUTTLE_AGENT_KEYS", agentKeys().toString());
    env.putAll(overrides);
    coordinatorStarts++;
    coordinator =
        PgShuttleProcess.start(
            List.of("coordinator", "--config", work.resolve("coordinator.yml").toString()),
            env,
            work.resolve(coordinatorLogName()));
    processes.add(coordinator);
    return coordinator;
  }

  /** The coordinator process started last. */
  PgShuttleProcess coordinator() {
    return coordinator;
  }

  /**
   * Stops the coordinator (SIGTERM) and starts another on the same store and port, without waiting
   * for it to serve; see {@link #awaitCoordinatorHealthy()}.
   */
  void restartCoordinator() {
    coordinator.close();
    processes.remove(coordinator);
    launchCoordinator(Map.of());
  }

  /** Waits until the coordinator answers its health check. */
  void awaitCoordinatorHealthy() {
    await().atMost(Duration.ofSeconds(90)).until(http::healthy);
  }

  /** The log (standard error) of the coordinator started last. */
  Path coordinatorLog() {
    return work.resolve(coordinatorLogName() + ".err");
  }

  private String coordinatorLogName() {
    return coordinatorStarts == 1 ? "coordinator.log" : "coordinator-" + coordinatorStarts + ".log";
  }

  CoordinatorHttp http() {
    return http;
  }

  /** The coordinator's status store (schema {@code pgshuttle} of database {@code postgres}). */
  PostgresCluster store() {
    return store;
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
    await().atMost(Duration.ofSeconds(60)).until(() -> agent.errors().contains("consuming"));
    return agent;
  }

  /** Starts an agent process as above without waiting for it to take commands. */
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
      Path own = registerAgent(instance);
      env.put(
          "PGSHUTTLE_SEALING_KEY",
          KeyFiles.privateFile(own, instance, KeyAlgorithm.X25519).toString());
      env.put(
          "PGSHUTTLE_COORDINATOR_KEYS",
          KeyFiles.publicFile(keys(), COORDINATOR_KEY, KeyAlgorithm.ED25519).toString());
      env.put(
          "PGSHUTTLE_COORDINATOR_EVENT_KEY",
          KeyFiles.publicFile(keys(), COORDINATOR_KEY, KeyAlgorithm.X25519).toString());
      env.putAll(overrides);
      List<String> command = new ArrayList<>(List.of("agent"));
      command.addAll(arguments);
      // A restarted agent writes a log of its own, so the killed one's stays readable.
      long starts = instances.stream().filter(instance::equals).count();
      String logName = "agent-" + instance + (starts == 0 ? "" : "-" + (starts + 1)) + ".log";
      PgShuttleProcess agent = PgShuttleProcess.start(command, env, work.resolve(logName));
      processes.add(agent);
      instances.add(instance);
      agentLogs.put(instance, work.resolve(logName + ".err"));
      return agent;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Runs {@code pgshuttle submit --json} for {@code instance} to {@code target}, with the target
   * password in the environment, and returns the migration id it printed.
   */
  String submit(String instance, PostgresCluster target, List<String> extraArguments) {
    return submit(instance, target.port(), target.password(), extraArguments);
  }

  String submit(String instance, int targetPort, String password, List<String> extraArguments) {
    registerAgent(instance);
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

  /** This run's keys: the coordinator's pair, and per agent a directory of its own pairs. */
  Path keys() {
    return work.resolve("keys");
  }

  /** The coordinator's directory of the agents' public keys. */
  private Path agentKeys() {
    return keys().resolve("agents");
  }

  /**
   * Makes the X25519 key pair of {@code instance}'s agent, once, and registers its public key with
   * the coordinator, as an operator does before the first request for the instance.
   *
   * @return the directory of the agent's key pair
   */
  Path registerAgent(String instance) {
    Path own = keys().resolve("agent-" + instance);
    if (Files.isDirectory(own)) {
      return own;
    }
    KeyPair pair = KeyFiles.generate(own, instance, KeyAlgorithm.X25519);
    KeyFiles.writePublic(
        KeyFiles.publicFile(agentKeys(), instance, KeyAlgorithm.X25519), pair.getPublic());
    return own;
  }

  /** The environment every pgshuttle process of this installation gets. */
  Map<String, String> baseEnvironment() {
    Map<String, String> env = new HashMap<>();
    env.put("PGSHUTTLE_AMQP_URI", brokerUri);
    env.put("PGSHUTTLE_NAMESPACE", namespace);
    env.put("PGSHUTTLE_COORDINATOR_URL", http.baseUrl());
    // The coordinator knows the token; the client commands send it.
    env.put("PGSHUTTLE_API_TOKENS", "e2e:operate:" + CoordinatorHttp.OPERATE_TOKEN);
    env.put("PGSHUTTLE_API_TOKEN", CoordinatorHttp.OPERATE_TOKEN);
    return env;
  }

  /** Waits until the agent of {@code instance} started last has said it consumes its queue. */
  void awaitAgentConsuming(String instance) {
    Path agentLog = agentLog(instance);
    await()
        .atMost(Duration.ofSeconds(90))
        .until(() -> Files.exists(agentLog) && Files.readString(agentLog).contains("consuming"));
  }

  /** The log (standard error) of the agent of {@code instance} started last. */
  Path agentLog(String instance) {
    return agentLogs.get(instance);
  }

  /** The broker this installation uses. */
  String brokerUri() {
    return brokerUri;
  }

  /** What every agent process of {@code instance} logged so far, oldest process first. */
  String agentLogs(String instance) {
    StringBuilder logs = new StringBuilder();
    try (var files = Files.list(work)) {
      for (Path file :
          files
              .filter(
                  f ->
                      f.getFileName()
                          .toString()
                          .matches(
                              java.util.regex.Pattern.quote("agent-" + instance)
                                  + "(-\\d+)?\\.log\\.err"))
              .sorted()
              .toList()) {
        logs.append(Files.readString(file)).append('\n');
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return logs.toString();
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
    if (!brokerUri.equals(TestBroker.uri())) {
      // A test's own node goes with everything on it.
      PostgresCluster.deleteRecursively(work);
      return;
    }
    Topology topology = topology();
    List<String> queues =
        new ArrayList<>(
            List.of(
                topology.requestsQueue(),
                topology.requestsDeadLetterQueue(),
                topology.coordinatorEventsQueue()));
    for (String instance : instances.stream().distinct().toList()) {
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
    PostgresCluster.deleteRecursively(work);
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
