package io.pgshuttle.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.pgshuttle.amqp.ConfirmingPublisher;
import io.pgshuttle.amqp.PublishOutcome;
import io.pgshuttle.e2e.ChaosSchedule.Fault;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MigrationOptions;
import io.pgshuttle.messages.MigrationRequest;
import io.pgshuttle.messages.Secret;
import io.pgshuttle.messages.TargetServer;
import io.pgshuttle.testkit.PostgresCluster;
import io.pgshuttle.testkit.RabbitNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Issue 3, point 11: many migrations at once, each on a simulated instance of its own (an agent
 * process with its own disk root, migrating its own database of a shared source cluster into a
 * shared target), while agents and the coordinator are killed with SIGKILL, and the broker is
 * restarted or its connections closed, at moments drawn from a seed. A checker then reports, per
 * request: terminal state recorded, target equal to source for each SUCCEEDED, source unchanged and
 * open and target without the database for each FAILED, disks and staging databases left, attempts
 * an agent ran twice. It prints {@code lost=0 duplicates=0 orphans=0 mismatches=0} or what it
 * found.
 *
 * <p>CI runs a short soak. {@code scripts/chaos-soak.sh --seed N --migrations 20} runs a full one;
 * the system properties {@code soak.seed}, {@code soak.migrations} and {@code soak.faults} set it.
 */
class ChaosSoakIT {
  private static final Pattern ATTEMPT_STARTS =
      Pattern.compile("attempt (\\d+) of migration ([0-9a-f-]{36}) starts");
  private static final Set<String> TERMINAL = Set.of("SUCCEEDED", "FAILED", "CANCELLED");
  private static final int ROWS_PER_DATABASE = 400_000;
  private static final int MAX_ATTEMPTS = 10;

  private final long seed = Long.getLong("soak.seed", 20261126L);
  private final int migrations = Integer.getInteger("soak.migrations", 4);
  private final int faultCount = Integer.getInteger("soak.faults", migrations);

  @Test
  void migrationsUnderSeededFaultsEndWithNothingLostDuplicatedLeftOrMismatched() throws Exception {
    // Faults fall while the migrations run: on 2 cores each takes seconds, longer with more.
    Duration window = Duration.ofMillis(2_000 + 500L * migrations);
    List<Fault> faults = ChaosSchedule.plan(seed, migrations, faultCount, window);
    System.out.printf("chaos soak: seed=%d migrations=%d faults=%s%n", seed, migrations, faults);
    try (RabbitNode broker = RabbitNode.start(List.of());
        PostgresCluster source = PostgresCluster.startTrusting();
        PostgresCluster target = PostgresCluster.startWithPassword("soak-target-pw")) {
      Map<String, String> databaseOf = new LinkedHashMap<>();
      Map<String, Map<String, List<List<String>>>> sourceBefore = new HashMap<>();
      for (int i = 0; i < migrations; i++) {
        String database = String.format("soak_%02d", i);
        createDatabase(source, database, i);
        databaseOf.put(instance(i), database);
        sourceBefore.put(database, DatabaseSnapshot.of(source, database));
      }
      E2eEnvironment environment = new E2eEnvironment(broker.uri());
      try {
        Map<String, PgShuttleProcess> agents = new HashMap<>();
        for (String instance : databaseOf.keySet()) {
          agents.put(instance, environment.startAgent(instance, source, Map.of()));
        }
        Map<String, String> migrationOf = publishRequests(environment, target, databaseOf);
        Instant published = Instant.now();
        long start = System.nanoTime();
        for (Fault fault : faults) {
          long due = start + fault.at().toNanos();
          long wait = due - System.nanoTime();
          if (wait > 0) {
            Thread.sleep(Duration.ofNanos(wait).toMillis());
          }
          inject(
              fault,
              Duration.ofNanos(System.nanoTime() - start),
              environment,
              broker,
              source,
              agents);
        }
        SoakFindings findings = new SoakFindings();
        Map<String, JsonNode> ended = awaitEnded(environment, migrationOf, findings);
        check(environment, source, target, databaseOf, migrationOf, ended, sourceBefore, findings);
        System.out.println("chaos soak: " + outcomes(ended.values(), published));
        migrationOf.forEach(
            (instance, id) ->
                System.out.println(
                    "chaos soak:   " + instance + " " + timeline(ended.get(id), published)));
        System.out.println("chaos soak: " + findings);
        assertThat(findings.clean())
            .as("seed %d: %s%n%s", seed, findings, environment.logs())
            .isTrue();
      } finally {
        environment.close();
      }
    }
  }

  private static String instance(int index) {
    return String.format("soak-vm-%02d", index);
  }

  private static void createDatabase(PostgresCluster source, String database, int index) {
    source.execute("postgres", "CREATE DATABASE " + database);
    source.execute(
        database,
        "CREATE TABLE ledger AS SELECT g AS id, md5((g + "
            + index
            + ")::text) AS entry FROM generate_series(1, "
            + ROWS_PER_DATABASE
            + ") g");
    source.execute(database, "ALTER TABLE ledger ADD PRIMARY KEY (id)");
  }

  /**
   * Publishes one request per instance, as a control plane would; returns migration by instance.
   */
  private Map<String, String> publishRequests(
      E2eEnvironment environment, PostgresCluster target, Map<String, String> databaseOf)
      throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(environment.brokerUri());
    Map<String, String> migrationOf = new LinkedHashMap<>();
    try (Connection connection = factory.newConnection("pgshuttle-chaos-soak");
        ConfirmingPublisher publisher =
            new ConfirmingPublisher(connection, new MessageCodec(), Duration.ofSeconds(30))) {
      for (Map.Entry<String, String> entry : databaseOf.entrySet()) {
        MigrationRequest request =
            new MigrationRequest(
                "soak-" + seed + "-" + entry.getKey(),
                entry.getKey(),
                List.of(entry.getValue()),
                new TargetServer(
                    "127.0.0.1",
                    target.port(),
                    PostgresCluster.SUPERUSER,
                    Secret.of(target.password()),
                    null),
                new MigrationOptions(1, MAX_ATTEMPTS, null, null));
        PublishOutcome outcome =
            publisher.publish(
                "",
                environment.topology().requestsQueue(),
                Envelope.ofRequest(request),
                true,
                Map.of());
        assertThat(outcome).isEqualTo(PublishOutcome.ROUTED);
        migrationOf.put(entry.getKey(), request.migrationId().toString());
      }
    }
    return migrationOf;
  }

  private static void inject(
      Fault fault,
      Duration elapsed,
      E2eEnvironment environment,
      RabbitNode broker,
      PostgresCluster source,
      Map<String, PgShuttleProcess> agents) {
    System.out.println("chaos soak: injecting " + fault + ", at +" + elapsed.toMillis() + " ms");
    switch (fault.kind()) {
      case KILL_AGENT -> {
        String instance = instance(fault.instance());
        // Started again at once but not waited for, so that the faults behind keep their moments.
        agents.get(instance).kill();
        agents.put(instance, environment.launchAgent(instance, source, Map.of(), List.of()));
      }
      case KILL_COORDINATOR -> {
        environment.coordinator().kill();
        environment.launchCoordinator(Map.of());
      }
      case CLOSE_CONNECTIONS -> broker.closeAllConnections("chaos soak");
      case RESTART_BROKER -> broker.restart();
    }
  }

  /** The final status of each migration; those that never end are reported lost. */
  private Map<String, JsonNode> awaitEnded(
      E2eEnvironment environment, Map<String, String> migrationOf, SoakFindings findings) {
    Map<String, JsonNode> ended = new HashMap<>();
    try {
      await()
          .atMost(Duration.ofMinutes(5).plusSeconds(20L * migrations))
          .pollInterval(Duration.ofSeconds(1))
          .until(
              () -> {
                for (String id : migrationOf.values()) {
                  if (!ended.containsKey(id)) {
                    environment
                        .http()
                        .status(id)
                        .filter(status -> TERMINAL.contains(status.path("state").asText()))
                        .ifPresent(status -> ended.put(id, status));
                  }
                }
                return ended.size() == migrationOf.size();
              });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      // Reported below, one finding per migration that did not end.
    }
    migrationOf.forEach(
        (instance, id) -> {
          if (!ended.containsKey(id)) {
            findings.lost(
                "migration "
                    + id
                    + " of "
                    + instance
                    + " has no final state: "
                    + environment.http().status(id).map(JsonNode::toString).orElse("unknown"));
          }
        });
    return ended;
  }

  private static void check(
      E2eEnvironment environment,
      PostgresCluster source,
      PostgresCluster target,
      Map<String, String> databaseOf,
      Map<String, String> migrationOf,
      Map<String, JsonNode> ended,
      Map<String, Map<String, List<List<String>>>> sourceBefore,
      SoakFindings findings) {
    List<String> targetDatabases = target.userDatabases();
    for (Map.Entry<String, String> entry : databaseOf.entrySet()) {
      String instance = entry.getKey();
      String database = entry.getValue();
      String id = migrationOf.get(instance);
      JsonNode status = ended.get(id);
      if (!DatabaseSnapshot.of(source, database).equals(sourceBefore.get(database))) {
        findings.mismatch(instance + ": the source database " + database + " changed or is closed");
      }
      if (status != null && status.path("state").asText().equals("SUCCEEDED")) {
        if (!targetDatabases.contains(database)
            || !DatabaseSnapshot.of(target, database).equals(sourceBefore.get(database))) {
          findings.mismatch(instance + ": SUCCEEDED but the target's " + database + " differs");
        }
      } else if (status != null && targetDatabases.contains(database)) {
        findings.mismatch(
            instance
                + ": "
                + status.path("state").asText()
                + " ("
                + status.path("error").asText()
                + ") but "
                + database
                + " is on the target");
      }
      countStarts(environment.agentLogs(instance))
          .forEach(
              (attempt, starts) -> {
                if (starts > 1) {
                  findings.duplicate(instance + ": " + attempt + " started " + starts + " times");
                }
              });
      try (Stream<Path> disks = Files.list(environment.diskRoot(instance))) {
        disks.forEach(disk -> findings.orphan(instance + ": disk " + disk.getFileName() + " left"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    for (String database : targetDatabases) {
      if (database.startsWith("pgshuttle_stage_")) {
        findings.orphan("staging database " + database + " left on the target");
      }
    }
  }

  /**
   * How many migrations ended in each state, how many attempts they took in all, and when the
   * migrations ran: the faults fell in that span or were wasted on idle processes.
   */
  private static String outcomes(java.util.Collection<JsonNode> ended, Instant published) {
    Map<String, Integer> states = new java.util.TreeMap<>();
    int attempts = 0;
    Duration firstStart = null;
    Duration lastEnd = Duration.ZERO;
    for (JsonNode status : ended) {
      states.merge(status.path("state").asText(), 1, Integer::sum);
      attempts += status.path("attempts").size();
      Duration started = sincePublished(status.path("startedAt"), published);
      if (started != null && (firstStart == null || started.compareTo(firstStart) < 0)) {
        firstStart = started;
      }
      Duration finished = sincePublished(status.path("finishedAt"), published);
      if (finished != null && finished.compareTo(lastEnd) > 0) {
        lastEnd = finished;
      }
    }
    return String.format(
        "ended %s after %d attempts, run from +%d ms to +%d ms",
        states, attempts, firstStart == null ? -1 : firstStart.toMillis(), lastEnd.toMillis());
  }

  /** A migration's state, attempts and when it ran, relative to the requests' publication. */
  private static String timeline(JsonNode status, Instant published) {
    if (status == null) {
      return "did not end";
    }
    Duration started = sincePublished(status.path("startedAt"), published);
    Duration finished = sincePublished(status.path("finishedAt"), published);
    return String.format(
        "%s after %d attempt(s), +%d ms to +%d ms",
        status.path("state").asText(),
        status.path("attempts").size(),
        started == null ? -1 : started.toMillis(),
        finished == null ? -1 : finished.toMillis());
  }

  private static Duration sincePublished(JsonNode time, Instant published) {
    return time.isTextual() ? Duration.between(published, Instant.parse(time.asText())) : null;
  }

  /** How often each attempt of each migration started, from an instance's agent logs. */
  private static Map<String, Integer> countStarts(String agentLogs) {
    Map<String, Integer> starts = new HashMap<>();
    Matcher matcher = ATTEMPT_STARTS.matcher(agentLogs);
    while (matcher.find()) {
      starts.merge(
          "attempt " + matcher.group(1) + " of migration " + matcher.group(2), 1, Integer::sum);
    }
    return starts;
  }
}
