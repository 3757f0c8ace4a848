package io.pgshuttle.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Delivery;
import io.pgshuttle.messages.Topology;
import io.pgshuttle.testkit.PostgresCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Issue 7, "secrets never travel or rest in clear": a migration with a distinctive target password,
 * then a search for it in every file of the installation (logs, agent state, keys, disks), every
 * message left in every queue of the namespace, every table of the store, and the command line of
 * every process seen while it ran. Zero occurrences.
 */
class SecretsEndToEndIT {
  static final String INSTANCE = "secret-vm";

  @Test
  void aMigrationLeavesItsTargetPasswordNowhere() throws Exception {
    String password = "Distinct1ve-" + UUID.randomUUID();
    PostgresCluster source = PostgresCluster.startTrusting();
    E2eEnvironment environment = null;
    try (PostgresCluster target = PostgresCluster.startWithPassword(password)) {
      source.execute("postgres", "CREATE DATABASE app");
      source.execute("app", "CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 1000) g");
      environment = new E2eEnvironment();
      CommandLines commandLines = new CommandLines();
      Thread watching = commandLines.watch();
      PgShuttleProcess agent = environment.startAgent(INSTANCE, source, Map.of());

      String id = environment.submit(INSTANCE, target, List.of());
      JsonNode status = environment.http().awaitTerminal(id, Duration.ofMinutes(5));
      // Stopped, so that their logs are complete and their queues are left to this test.
      agent.close();
      environment.coordinator().close();
      watching.interrupt();
      watching.join();

      assertThat(status.path("state").asText())
          .as("status %s%n%s", status, environment.logs())
          .isEqualTo("SUCCEEDED");
      assertThat(commandLines.seen).as("command lines were sampled").isNotEmpty();
      assertThat(commandLines.seen).noneMatch(line -> line.contains(password));
      assertThat(filesContaining(environment.work(), password)).isEmpty();
      assertThat(messagesContaining(environment, password)).isEmpty();
      assertThat(storeTablesContaining(environment, password)).isEmpty();
      assertThat(environment.logs()).contains(id);
    } finally {
      Closing.all(environment, source);
    }
  }

  private static List<Path> filesContaining(Path root, String text) throws IOException {
    byte[] needle = text.getBytes(StandardCharsets.UTF_8);
    List<Path> found = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        if (indexOf(Files.readAllBytes(file), needle) >= 0) {
          found.add(file);
        }
      }
    }
    return found;
  }

  /** Takes every message left in the namespace's queues, and returns those holding {@code text}. */
  private static List<String> messagesContaining(E2eEnvironment environment, String text)
      throws Exception {
    Topology topology = environment.topology();
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(environment.brokerUri());
    List<String> found = new ArrayList<>();
    try (Connection connection = factory.newConnection("secrets-e2e");
        Channel channel = connection.createChannel()) {
      for (String queue :
          List.of(
              topology.requestsQueue(),
              topology.requestsDeadLetterQueue(),
              topology.coordinatorEventsQueue(),
              topology.agentQueue(INSTANCE),
              topology.agentControlQueue(INSTANCE))) {
        // Consumed, not fetched: the agent's quorum queues refuse basic.get.
        long ready = channel.messageCount(queue);
        BlockingQueue<Delivery> taken = new LinkedBlockingQueue<>();
        String tag =
            channel.basicConsume(queue, true, (t, delivery) -> taken.add(delivery), t -> {});
        for (long i = 0; i < ready; i++) {
          Delivery message = taken.poll(30, TimeUnit.SECONDS);
          if (message == null) {
            throw new AssertionError(queue + " held " + ready + " messages, fewer were delivered");
          }
          String body = new String(message.getBody(), StandardCharsets.UTF_8);
          String headers = String.valueOf(message.getProperties().getHeaders());
          if (body.contains(text) || headers.contains(text)) {
            found.add(queue + ": " + body);
          }
        }
        channel.basicCancel(tag);
      }
    }
    return found;
  }

  private static List<String> storeTablesContaining(E2eEnvironment environment, String text) {
    String tables =
        environment
            .store()
            .queryValue(
                "postgres",
                "SELECT coalesce(string_agg(t.table_schema || '.' || t.table_name, ','), '')"
                    + " FROM information_schema.tables t, LATERAL (SELECT query_to_xml(format("
                    + "'SELECT * FROM %I.%I', t.table_schema, t.table_name), true, false, '')::text"
                    + " AS x) rows WHERE t.table_schema NOT IN ('pg_catalog', 'information_schema')"
                    + " AND strpos(rows.x, '"
                    + text.replace("'", "''")
                    + "') > 0");
    return tables.isEmpty() ? List.of() : List.of(tables.split(","));
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** The command lines of every process on the machine, sampled until interrupted. */
  private static final class CommandLines {
    final Set<String> seen = ConcurrentHashMap.newKeySet();

    Thread watch() {
      Thread thread =
          new Thread(
              () -> {
                while (!Thread.currentThread().isInterrupted()) {
                  sample();
                  try {
                    Thread.sleep(50);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "command-line-watch");
      thread.setDaemon(true);
      thread.start();
      return thread;
    }

    private void sample() {
      try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
        for (Path process : processes.toList()) {
          try {
            byte[] line = Files.readAllBytes(process.resolve("cmdline"));
            if (line.length > 0) {
              seen.add(new String(line, StandardCharsets.UTF_8).replace('\0', ' '));
            }
          } catch (IOException e) {
            // Not a process, or it ended meanwhile.
          }
        }
      } catch (IOException e) {
        throw new IllegalStateException("cannot list /proc", e);
      }
    }
  }
}
