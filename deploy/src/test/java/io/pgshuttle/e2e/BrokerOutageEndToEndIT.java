package io.pgshuttle.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.pgshuttle.messages.AgentHeartbeat;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MigrationSucceeded;
import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.StepStarted;
import io.pgshuttle.messages.StepSucceeded;
import io.pgshuttle.messages.Topology;
import io.pgshuttle.testkit.PostgresCluster;
import io.pgshuttle.testkit.RabbitNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Issue 3, point 3, end to end: the broker is restarted, and separately every connection is closed
 * by force, while a migration runs, with requests, commands and events in flight; and the
 * coordinator and the agent start while the broker is down. The coordinator and the agent are
 * processes of the distribution on a RabbitMQ node of the test's own. The migration must still
 * succeed with one attempt, each step run once, the target equal to the source, no disk left; and
 * every event published a second time must change nothing.
 *
 * <p>A million rows move in seconds here, faster than a node restarts, so pg_dump and pg_restore
 * start after a pause (the real tools then do the work): DUMP and RESTORE last long enough for a
 * fault to land inside them.
 */
class BrokerOutageEndToEndIT {
  static final String INSTANCE = "outage-vm";
  static final String DATABASE = "ledger";
  static final String PASSWORD = "outage-target-pw";
  static final int DUMP_PAUSE_SECONDS = 8;
  static final int RESTORE_PAUSE_SECONDS = 15;
  static final List<String> STEPS = Arrays.stream(Step.values()).map(Step::name).toList();

  final MessageCodec codec = new MessageCodec();

  @Test
  void aMigrationRidesOutBrokerRestartsAndForcedClosesAndRunsEachStepOnce() throws Exception {
    try (RabbitNode broker = RabbitNode.start(List.of());
        PostgresCluster source = PostgresCluster.startTrusting();
        PostgresCluster target = PostgresCluster.startWithPassword(PASSWORD)) {
      loadSource(source);
      Map<String, List<List<String>>> sourceBefore = DatabaseSnapshot.of(source, DATABASE);
      try (E2eEnvironment environment = new E2eEnvironment(broker.uri())) {
        String tap = declareTap(broker, environment.topology());

        // The coordinator and the agent start while the broker is down: their first connections
        // fail, then succeed.
        broker.stop();
        environment.restartCoordinator();
        environment.launchAgent(
            INSTANCE,
            source,
            Map.of(
                "PGSHUTTLE_PG_BINDIR",
                PausingTools.in(
                        environment.work(),
                        Map.of("pg_dump", DUMP_PAUSE_SECONDS, "pg_restore", RESTORE_PAUSE_SECONDS))
                    .toString()),
            List.of());
        Path agentLog = environment.agentLog(INSTANCE);
        awaitMoreInLog(environment.coordinatorLog(), "not reachable yet", 0);
        awaitMoreInLog(agentLog, "not reachable yet", 0);
        broker.startAgain();
        environment.awaitCoordinatorHealthy();
        environment.awaitAgentConsuming(INSTANCE);

        String id =
            environment.submit(INSTANCE, target, List.of("--database", DATABASE, "--jobs", "2"));
        // The request was just queued: the coordinator is taking it and dispatching its command.
        broker.closeAllConnections("BrokerOutageEndToEndIT closes every connection after submit");

        // The broker goes down during DUMP and stays down until the agent has an event it cannot
        // publish (DUMP's end, RESTORE's start), then comes back with its data.
        awaitRunning(environment, id, "DUMP");
        String outboxWaits = "event outbox: the broker did not take an event";
        long outagesBefore = occurrences(agentLog, outboxWaits);
        broker.stop();
        awaitMoreInLog(agentLog, outboxWaits, outagesBefore);
        broker.startAgain();

        awaitRunning(environment, id, "RESTORE");
        broker.closeAllConnections("BrokerOutageEndToEndIT closes every connection in RESTORE");

        JsonNode status = environment.http().awaitTerminal(id, Duration.ofMinutes(5));

        assertThat(status.path("state").asText())
            .as("status %s%n%s", status, environment.logs())
            .isEqualTo("SUCCEEDED");
        assertThat(status.path("attempt").asInt()).as("no second dispatch").isEqualTo(1);
        assertThat(status.path("attempts")).hasSize(1);
        assertThat(status.path("attempts").path(0).path("state").asText()).isEqualTo("SUCCEEDED");
        List<String> names = new ArrayList<>();
        status.path("steps").forEach(step -> names.add(step.path("name").asText()));
        assertThat(names).containsExactlyElementsOf(STEPS);
        assertThat(status.path("steps"))
            .allSatisfy(step -> assertThat(step.path("state").asText()).isEqualTo("SUCCEEDED"));
        assertThat(target.userDatabases()).containsExactly(DATABASE);
        assertThat(DatabaseSnapshot.of(target, DATABASE)).isEqualTo(sourceBefore);
        try (var left = Files.list(environment.diskRoot(INSTANCE))) {
          assertThat(left.map(Path::getFileName).map(Path::toString)).isEmpty();
        }

        List<GetResponse> published = drain(broker, tap);
        List<Envelope<Event>> agentEvents = distinctAgentEvents(published, id);
        for (Step step : Step.values()) {
          assertThat(agentEvents.stream().filter(e -> e.payload().equals(new StepStarted(step))))
              .as("%s started once", step)
              .hasSize(1);
          assertThat(
                  agentEvents.stream()
                      .filter(e -> e.payload() instanceof StepSucceeded s && s.step() == step))
              .as("%s succeeded once", step)
              .hasSize(1);
        }
        assertThat(agentEvents)
            .as("only attempt 1 ran")
            .allSatisfy(e -> assertThat(e.attempt()).isEqualTo(1));
        assertThat(agentEvents.get(agentEvents.size() - 1).payload())
            .isInstanceOf(MigrationSucceeded.class);

        // Every event once more, as after confirms lost with the connection: nothing changes.
        republish(broker, environment.topology(), published);
        awaitEmpty(broker, environment.topology().coordinatorEventsQueue());
        assertThat(environment.http().status(id).orElseThrow()).isEqualTo(status);
      }
    }
  }

  /** A database with a table of a million rows, so that DUMP and RESTORE take some seconds. */
  private static void loadSource(PostgresCluster source) {
    source.execute("postgres", "CREATE DATABASE " + DATABASE);
    source.execute(
        DATABASE,
        "CREATE TABLE entries (id bigint PRIMARY KEY, account int NOT NULL,"
            + " amount numeric(12,2) NOT NULL, memo text)",
        "INSERT INTO entries SELECT g, g % 1000, (g % 100000) / 100.0, md5(g::text)"
            + " FROM generate_series(1, 1000000) g",
        "CREATE INDEX entries_account ON entries (account)",
        "CREATE TABLE accounts AS SELECT DISTINCT account FROM entries",
        "CREATE SEQUENCE entry_numbers START 1000001");
  }

  /**
   * Waits until {@code step} of the migration runs, so that what the test does next happens while
   * the migration is in flight.
   */
  private static void awaitRunning(E2eEnvironment environment, String id, String step) {
    try {
      await()
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> environment.stepState(id, step).equals("RUNNING"));
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(
          step
              + " did not run; status "
              + environment.http().status(id).map(JsonNode::toString).orElse("(none)")
              + "\n"
              + environment.logs(),
          e);
    }
  }

  /** Waits until {@code text} is in {@code log} more than {@code before} times. */
  private static void awaitMoreInLog(Path log, String text, long before) {
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> occurrences(log, text) > before);
  }

  private static long occurrences(Path log, String text) throws IOException {
    if (!Files.exists(log)) {
      return 0;
    }
    return Files.readAllLines(log).stream().filter(line -> line.contains(text)).count();
  }

  /** A durable queue of every event, which outlives the broker's restart. */
  private static String declareTap(RabbitNode broker, Topology topology) throws Exception {
    String tap = topology.namespace() + ".test-tap";
    try (Connection connection = connect(broker);
        Channel channel = connection.createChannel()) {
      channel.queueDeclare(tap, true, false, false, Map.of());
      channel.queueBind(tap, topology.eventsExchange(), "#");
    }
    return tap;
  }

  private static List<GetResponse> drain(RabbitNode broker, String queue) throws Exception {
    List<GetResponse> messages = new ArrayList<>();
    try (Connection connection = connect(broker);
        Channel channel = connection.createChannel()) {
      for (GetResponse got = channel.basicGet(queue, true);
          got != null;
          got = channel.basicGet(queue, true)) {
        messages.add(got);
      }
    }
    return messages;
  }

  /** The agent's events of the migration, each (attempt, seq) once, heartbeats left out. */
  private List<Envelope<Event>> distinctAgentEvents(List<GetResponse> published, String id)
      throws Exception {
    List<Envelope<Event>> events = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (GetResponse message : published) {
      Envelope<Event> envelope = codec.decode(message.getBody(), Event.class);
      boolean agents = envelope.seq() < Envelope.COORDINATOR_MIGRATION_CANCELLED_SEQ;
      if (agents
          && envelope.migrationId().toString().equals(id)
          && !(envelope.payload() instanceof AgentHeartbeat)
          && seen.add(envelope.attempt() + "/" + envelope.seq())) {
        events.add(envelope);
      }
    }
    return events;
  }

  private static void republish(RabbitNode broker, Topology topology, List<GetResponse> messages)
      throws Exception {
    try (Connection connection = connect(broker);
        Channel channel = connection.createChannel()) {
      channel.confirmSelect();
      for (GetResponse message : messages) {
        channel.basicPublish(
            topology.eventsExchange(),
            message.getEnvelope().getRoutingKey(),
            message.getProps(),
            message.getBody());
      }
      channel.waitForConfirmsOrDie(30_000);
    }
  }

  /** Waits until the queue holds nothing, ready or unacknowledged. */
  private static void awaitEmpty(RabbitNode broker, String queue) {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () ->
                Arrays.stream(broker.ctl("list_queues", "-q", "name", "messages").split("\n"))
                    .map(line -> line.split("\t"))
                    .anyMatch(
                        columns ->
                            columns.length == 2
                                && columns[0].equals(queue)
                                && columns[1].strip().equals("0")));
  }

  private static Connection connect(RabbitNode broker) throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(broker.uri());
    factory.setAutomaticRecoveryEnabled(false);
    return factory.newConnection("broker-outage-e2e");
  }
}
