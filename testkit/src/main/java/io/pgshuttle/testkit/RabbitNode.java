package io.pgshuttle.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A RabbitMQ node of a test's own, with its own configuration (such as a short {@code
 * consumer_timeout}), on free ports of 127.0.0.1, started with the machine's {@code
 * rabbitmq-server}. {@link #close()} stops it and deletes its files. Not thread-safe.
 */
public final class RabbitNode implements AutoCloseable {
  private static final long START_TIMEOUT_MILLIS = 120_000;

  private final String nodeName;
  private final int port;
  private final Path directory;

  private RabbitNode(String nodeName, int port, Path directory) {
    this.nodeName = nodeName;
    this.port = port;
    this.directory = directory;
  }

  /**
   * Starts a node whose {@code rabbitmq.conf} holds {@code configLines}, and waits until it takes
   * AMQP connections.
   *
   * @throws IllegalStateException if rabbitmq-server is missing or the node does not come up, with
   *     its log
   */
  public static RabbitNode start(List<String> configLines) {
    try {
      Path directory = Files.createTempDirectory("pgshuttle-rabbit-");
      Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));
      List<String> config = new ArrayList<>(configLines);
      config.add("loopback_users = none");
      Files.write(directory.resolve("rabbitmq.conf"), config, StandardCharsets.UTF_8);
      Files.writeString(directory.resolve("enabled_plugins"), "[].\n");
      if ("root".equals(System.getProperty("user.name"))) {
        // Debian's rabbitmq-server runs the node as the rabbitmq user.
        run(List.of("chown", "-R", "rabbitmq:rabbitmq", directory.toString()), Map.of());
      }
      int port = freePort();
      String nodeName = "pgshuttle-" + UUID.randomUUID().toString().substring(0, 8) + "@localhost";
      RabbitNode node = new RabbitNode(nodeName, port, directory);
      run(
          List.of("rabbitmq-server", "-detached"),
          Map.of(
              "RABBITMQ_NODENAME", nodeName,
              "RABBITMQ_NODE_PORT", Integer.toString(port),
              "RABBITMQ_DIST_PORT", Integer.toString(freePort()),
              "RABBITMQ_CONFIG_FILE", directory.resolve("rabbitmq").toString(),
              "RABBITMQ_ENABLED_PLUGINS_FILE", directory.resolve("enabled_plugins").toString(),
              "RABBITMQ_MNESIA_BASE", directory.resolve("mnesia").toString(),
              "RABBITMQ_LOG_BASE", directory.resolve("log").toString(),
              "RABBITMQ_PID_FILE", directory.resolve("pid").toString()));
      node.awaitPort();
      return node;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code amqp://guest:guest@127.0.0.1:PORT/%2f}. */
  public String uri() {
    return "amqp://guest:guest@127.0.0.1:" + port + "/%2f";
  }

  /** Closes every client connection to the node, as an operator's {@code rabbitmqctl} would. */
  public void closeAllConnections(String reason) {
    run(List.of("rabbitmqctl", "-n", nodeName, "close_all_connections", reason), Map.of());
  }

  private void awaitPort() {
    long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
    while (System.currentTimeMillis() < deadline) {
      try (Socket ignored = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException notYet) {
        sleep();
      }
    }
    throw new IllegalStateException(
        "RabbitMQ node " + nodeName + " did not open port " + port + " within 2 minutes");
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

  private static void run(List<String> command, Map<String, String> environment) {
    try {
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      builder.environment().putAll(environment);
      Process process = builder.start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (process.waitFor() != 0) {
        throw new IllegalStateException(
            String.join(" ", command) + " exited " + process.exitValue() + ":\n" + output);
      }
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot run " + command.get(0) + " (is RabbitMQ installed?): " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
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
