package io.pgshuttle.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A RabbitMQ node of a test's own, with its own configuration (such as a short {@code
 * consumer_timeout}), on free ports of 127.0.0.1, started with the machine's {@code
 * rabbitmq-server}. It can be stopped and started again with its data (durable queues and
 * persistent messages survive, as on a real broker restart), and its connections can be closed by
 * force. {@link #close()} stops it and deletes its files. Not thread-safe.
 */
public final class RabbitNode implements AutoCloseable {
  private static final long START_TIMEOUT_MILLIS = 120_000;
  private static final int LOG_TAIL_LINES = 40;

  private final String nodeName;
  private final int port;
  private final Path directory;
  private final Map<String, String> environment;
  private final int managementPort;

  private RabbitNode(
      String nodeName,
      int port,
      Path directory,
      Map<String, String> environment,
      int managementPort) {
    this.nodeName = nodeName;
    this.port = port;
    this.directory = directory;
    this.environment = environment;
    this.managementPort = managementPort;
  }

  /**
   * Starts a node whose {@code rabbitmq.conf} holds {@code configLines}, and waits until it takes
   * AMQP connections.
   *
   * @throws IllegalStateException if rabbitmq-server is missing or the node does not come up, with
   *     the end of its log
   */
  public static RabbitNode start(List<String> configLines) {
    return start(configLines, List.of());
  }

  /**
   * As {@link #start(List)}, with {@code plugins} enabled (such as {@code rabbitmq_management},
   * whose listener then takes a free port of its own: {@link #managementUrl()}).
   */
  public static RabbitNode start(List<String> configLines, List<String> plugins) {
    return start(configLines, plugins, null);
  }

  /**
   * A node whose {@code consumer_timeout} is {@code timeout}, and whose channels check it five
   * times per timeout: a node checks only on its channels' tick, once a minute by default, which
   * would keep a test of the timeout waiting minutes. The tick ({@code channel_tick_interval}) has
   * no key in {@code rabbitmq.conf}, so it goes into {@code advanced.config}.
   */
  public static RabbitNode startWithConsumerTimeout(Duration timeout) {
    long millis = timeout.toMillis();
    return start(
        List.of("consumer_timeout = " + millis),
        List.of(),
        "[{rabbit, [{channel_tick_interval, " + Math.max(1, millis / 5) + "}]}].\n");
  }

  private static RabbitNode start(
      List<String> configLines, List<String> plugins, String advancedConfig) {
    try {
      Path directory = Files.createTempDirectory("pgshuttle-rabbit-");
      Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));
      List<String> config = new ArrayList<>(configLines);
      config.add("loopback_users = none");
      int managementPort = 0;
      if (plugins.contains("rabbitmq_management")) {
        managementPort = freePort();
        config.add("management.tcp.ip = 127.0.0.1");
        config.add("management.tcp.port = " + managementPort);
      }
      Files.write(directory.resolve("rabbitmq.conf"), config, StandardCharsets.UTF_8);
      Files.writeString(
          directory.resolve("enabled_plugins"), "[" + String.join(",", plugins) + "].\n");
      Files.writeString(
          directory.resolve("advanced.config"), advancedConfig == null ? "[].\n" : advancedConfig);
      if ("root".equals(System.getProperty("user.name"))) {
        // Debian's rabbitmq-server runs the node as the rabbitmq user.
        run(List.of("chown", "-R", "rabbitmq:rabbitmq", directory.toString()), Map.of());
      }
      int port = freePort();
      String nodeName = "pgshuttle-" + UUID.randomUUID().toString().substring(0, 8) + "@localhost";
      RabbitNode node =
          new RabbitNode(
              nodeName,
              port,
              directory,
              Map.of(
                  "RABBITMQ_NODENAME", nodeName,
                  "RABBITMQ_NODE_PORT", Integer.toString(port),
                  "RABBITMQ_DIST_PORT", Integer.toString(freePort()),
                  "RABBITMQ_CONFIG_FILE", directory.resolve("rabbitmq").toString(),
                  "RABBITMQ_ENABLED_PLUGINS_FILE", directory.resolve("enabled_plugins").toString(),
                  "RABBITMQ_ADVANCED_CONFIG_FILE", directory.resolve("advanced.config").toString(),
                  "RABBITMQ_MNESIA_BASE", directory.resolve("mnesia").toString(),
                  "RABBITMQ_LOG_BASE", directory.resolve("log").toString(),
                  "RABBITMQ_PID_FILE", directory.resolve("pid").toString()),
              managementPort);
      node.startAgain();
      return node;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Stops the node (the whole Erlang VM, as a broker restart does) and waits until its process has
   * ended. Its data stays for {@link #startAgain()}. Clients see their connections closed.
   */
  public void stop() {
    run(
        List.of("rabbitmqctl", "-n", nodeName, "stop", directory.resolve("pid").toString()),
        Map.of());
  }

  /**
   * Starts the node on its port with the data it had, and waits until it takes AMQP connections.
   */
  public void startAgain() {
    // Not `rabbitmqctl stop_app`/`start_app`: on 3.10 start_app fails to listen again
    // (eaddrinuse), so a restart is of the whole node.
    try {
      // A pid file of the run before would make a slow start look like a dead node.
      Files.deleteIfExists(directory.resolve("pid"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    run(List.of("rabbitmq-server", "-detached"), environment);
    awaitPort(port);
    if (managementPort != 0) {
      awaitPort(managementPort);
    }
  }

  /** {@link #stop()}, then {@link #startAgain()}. */
  public void restart() {
    stop();
    startAgain();
  }

  /** Closes every client connection by force ({@code rabbitmqctl close_all_connections}). */
  public void closeAllConnections(String reason) {
    ctl("close_all_connections", reason);
  }

  /**
   * Runs {@code rabbitmqctl -n NODE <arguments>} against this node.
   *
   * @return what it printed
   * @throws IllegalStateException if it exits with an error, with its output
   */
  public String ctl(String... arguments) {
    List<String> command = new ArrayList<>(List.of("rabbitmqctl", "-n", nodeName));
    command.addAll(List.of(arguments));
    return run(command, Map.of());
  }

  /** {@code amqp://guest:guest@127.0.0.1:PORT/%2f}. */
  public String uri() {
    return "amqp://guest:guest@127.0.0.1:" + port + "/%2f";
  }

  /**
   * {@code http://127.0.0.1:PORT} of the management API.
   *
   * @throws IllegalStateException if the node was started without {@code rabbitmq_management}
   */
  public String managementUrl() {
    if (managementPort == 0) {
      throw new IllegalStateException("this node runs without the rabbitmq_management plugin");
    }
    return "http://127.0.0.1:" + managementPort;
  }

  /** {@code amqp://USER:PASSWORD@127.0.0.1:PORT/%2f}, for a user of the test's own. */
  public String uri(String user, String password) {
    return "amqp://" + user + ":" + password + "@127.0.0.1:" + port + "/%2f";
  }

  private void awaitPort(int listenerPort) {
    long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
    while (System.currentTimeMillis() < deadline) {
      try (Socket ignored = new Socket("127.0.0.1", listenerPort)) {
        return;
      } catch (IOException notYet) {
        if (ended()) {
          throw new IllegalStateException(
              "RabbitMQ node "
                  + nodeName
                  + " stopped before it opened port "
                  + listenerPort
                  + "; the end of its log:\n"
                  + logTail());
        }
        sleep();
      }
    }
    throw new IllegalStateException(
        "RabbitMQ node "
            + nodeName
            + " did not open port "
            + listenerPort
            + " within 2 minutes; the end of its log:\n"
            + logTail());
  }

  /** Whether the node wrote its pid file and that process has ended since. */
  private boolean ended() {
    try {
      long pid = Long.parseLong(Files.readString(directory.resolve("pid")).strip());
      return ProcessHandle.of(pid).map(process -> !process.isAlive()).orElse(true);
    } catch (IOException | NumberFormatException notWrittenYet) {
      return false;
    }
  }

  /** The last lines of the node's log files, for a failure to start. */
  private String logTail() {
    try (Stream<Path> files = Files.list(directory.resolve("log"))) {
      StringBuilder tail = new StringBuilder();
      for (Path file : files.sorted().toList()) {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        tail.append("== ").append(file.getFileName()).append('\n');
        lines
            .subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size())
            .forEach(line -> tail.append(line).append('\n'));
      }
      return tail.toString();
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    try {
      run(List.of("rabbitmqctl", "-n", nodeName, "stop"), Map.of());
    } catch (IllegalStateException alreadyStopped) {
      // Stopped already: its files still go.
    }
    PostgresCluster.deleteRecursively(directory);
  }

  private static String run(List<String> command, Map<String, String> environment) {
    try {
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      builder.environment().putAll(environment);
      Process process = builder.start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (process.waitFor() != 0) {
        throw new IllegalStateException(
            String.join(" ", command) + " exited " + process.exitValue() + ":\n" + output);
      }
      return output;
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot run " + command.get(0) + " (is RabbitMQ installed?): " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** A port of 127.0.0.1 free now, for a listener a test configures (such as a TLS one). */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void sleep() {
    try {
      Thread.sleep(250);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
