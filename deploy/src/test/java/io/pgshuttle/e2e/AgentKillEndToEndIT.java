package io.pgshuttle.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgshuttle.agent.steps.CutoverStep;
import io.pgshuttle.agent.steps.VerifyStep;
import io.pgshuttle.faults.Breakpoints;
import io.pgshuttle.testkit.PostgresCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 3, point 1: the agent process is killed with SIGKILL during DUMP, RESTORE and VERIFY,
 * between the two renames of CUTOVER and after CUTOVER committed, one kill per attempt of one
 * migration. After each kill a new agent process rolls the attempt back and reports it failed, the
 * coordinator starts the next attempt, and the sixth attempt succeeds. All real processes of the
 * distribution on real PostgreSQL clusters. What makes the moments sure on any machine: pg_dump and
 * pg_restore pause before they start ({@link PausingTools}), and breakpoints hold the agent as
 * VERIFY begins and inside CUTOVER's transaction.
 */
class AgentKillEndToEndIT {
  private static final String INSTANCE = "e2e-kill-vm";
  private static final String LEDGER = "Ledger";
  private static final String NOTES = "notes ü";
  private static final List<String> DATABASES = List.of(LEDGER, NOTES);
  private static final String APPLICATION = "ledger_app";
  private static final int ROWS = 200_000;

  private static E2eEnvironment environment;
  private static PostgresCluster source;
  private static Map<String, Map<String, List<List<String>>>> sourceBefore;

  @BeforeAll
  static void startInstallationAndSource() {
    source = PostgresCluster.startTrusting();
    source.execute("postgres", "CREATE ROLE " + APPLICATION + " LOGIN");
    for (String database : DATABASES) {
      source.execute("postgres", "CREATE DATABASE \"" + database + "\" OWNER " + APPLICATION);
    }
    source.execute(
        LEDGER,
        "CREATE TABLE entries AS SELECT g AS id, md5(g::text) AS a, md5((g * 7)::text) AS b"
            + " FROM generate_series(1, "
            + ROWS
            + ") g");
    source.execute(LEDGER, "ALTER TABLE entries ADD PRIMARY KEY (id)");
    source.execute(NOTES, "CREATE TABLE notes (id int PRIMARY KEY, body text)");
    source.execute(
        NOTES, "INSERT INTO notes SELECT g, 'note ' || g FROM generate_series(1, 500) g");
    sourceBefore = snapshots(source);
    environment = new E2eEnvironment();
  }

  @AfterAll
  static void stopEverything() {
    Closing.all(environment, source);
  }

  @Test
  void anAgentKilledAtAnyStepIsRolledBackOnRestartAndTheNextAttemptSucceeds() throws Exception {
    try (PostgresCluster target = PostgresCluster.startWithPassword("target-pw-kill")) {
      // The tools pause before they start, so that the kill lands while they run however fast.
      PgShuttleProcess agent = environment.startAgent(INSTANCE, source, pausing("pg_dump"));
      String id =
          environment.submit(
              INSTANCE,
              target,
              List.of(
                  "--database", LEDGER, "--database", NOTES, "--jobs", "2", "--max-attempts", "6"));

      awaitRunning(id, 1, "DUMP");
      killWhileToolRuns(agent, "pg_dump", source.port());
      agent = restartAgent(pausing("pg_restore"));
      // RESTORE starts alongside DUMP, so both ran.
      assertRolledBack(id, 1, "DUMP and RESTORE", target);

      awaitRunning(id, 2, "RESTORE");
      killWhileToolRuns(agent, "pg_restore", target.port());
      agent = restartAgent(armed(VerifyStep.BREAKPOINT_STARTED));
      // DUMP may still run while RESTORE's pg_restore does.
      assertRolledBack(id, 2, "(DUMP and )?RESTORE", target);

      awaitBreakpoint(agent, VerifyStep.BREAKPOINT_STARTED);
      awaitRunning(id, 3, "VERIFY");
      agent.kill();
      agent = restartAgent(armed(CutoverStep.BREAKPOINT_BETWEEN_RENAMES));
      assertRolledBack(id, 3, "VERIFY", target);

      awaitBreakpoint(agent, CutoverStep.BREAKPOINT_BETWEEN_RENAMES);
      assertThat(target.userDatabases())
          .as("one rename is done but not committed")
          .hasSize(2)
          .allMatch(name -> name.startsWith("pgshuttle_stage_"));
      agent.kill();
      agent = restartAgent(armed(CutoverStep.BREAKPOINT_COMMITTED));
      assertRolledBack(id, 4, "CUTOVER", target);

      awaitBreakpoint(agent, CutoverStep.BREAKPOINT_COMMITTED);
      assertThat(target.userDatabases()).containsExactlyInAnyOrderElementsOf(DATABASES);
      agent.kill();
      agent = restartAgent(Map.of());
      JsonNode fifth = awaitAttemptFailed(id, 5, "CUTOVER");
      assertThat(fifth.path("error").asText())
          .as("without the password the committed renames stay for the next attempt")
          .contains("left database");
      assertSourceOpenAndNoDisk();

      JsonNode status = environment.http().awaitTerminal(id, Duration.ofMinutes(5));
      assertThat(status.path("state").asText())
          .as("status %s%n%s", status, environment.logs())
          .isEqualTo("SUCCEEDED");
      assertThat(status.path("attempts")).hasSize(6);
      assertThat(snapshots(target)).isEqualTo(sourceBefore);
      assertThat(target.userDatabases()).containsExactlyInAnyOrderElementsOf(DATABASES);
      assertSourceOpenAndNoDisk();
      assertThat(agent.isAlive()).isTrue();
    }
  }

  /** Kills the agent once {@code tool} runs against {@code port}; the tool must die with it. */
  private static void killWhileToolRuns(PgShuttleProcess agent, String tool, int port) {
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> !ToolProcesses.connectingTo(tool, port).isEmpty());
    agent.kill();
    await()
        .atMost(Duration.ofSeconds(10))
        .alias(tool + " dies with the agent")
        .until(() -> ToolProcesses.connectingTo(tool, port).isEmpty());
  }

  /** Starts the agent again, with {@code overrides} in its environment. */
  private static PgShuttleProcess restartAgent(Map<String, String> overrides) {
    return environment.startAgent(INSTANCE, source, overrides);
  }

  /** An agent environment holding at {@code breakpoint}. */
  private static Map<String, String> armed(String breakpoint) {
    return Map.of(Breakpoints.VARIABLE, breakpoint);
  }

  /** An agent environment whose {@code tool} pauses 3 s before it starts. */
  private static Map<String, String> pausing(String tool) {
    return Map.of(
        "PGSHUTTLE_PG_BINDIR", PausingTools.in(environment.work(), Map.of(tool, 3)).toString());
  }

  private static void awaitRunning(String id, int attempt, String step) {
    await()
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(50))
        .alias("attempt " + attempt + " runs " + step)
        .until(
            () ->
                environment.http().status(id).map(s -> s.path("attempt").asInt()).orElse(0)
                        == attempt
                    && environment.stepState(id, step).equals("RUNNING"));
  }

  private static void awaitBreakpoint(PgShuttleProcess agent, String name) {
    await()
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(50))
        .alias("the agent holds at " + name)
        .until(() -> agent.errors().contains(Breakpoints.holdingMessage(name)));
  }

  /**
   * The attempt as the status shows it once the restarted agent reported it failed.
   *
   * @param steps a regular expression for the steps the agent was killed in, as its error names
   *     them
   */
  private static JsonNode awaitAttemptFailed(String id, int attempt, String steps) {
    JsonNode[] found = new JsonNode[1];
    await()
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(100))
        .alias("attempt " + attempt + " reported failed")
        .until(
            () -> {
              JsonNode node =
                  environment
                      .http()
                      .status(id)
                      .map(status -> status.path("attempts").path(attempt - 1))
                      .orElse(null);
              found[0] = node;
              return node != null && node.path("state").asText().equals("FAILED");
            });
    JsonNode failed = found[0];
    assertThat(failed.path("error").asText())
        .matches("(?s)agent restarted during " + steps + "; rolled back.*");
    assertThat(failed.path("retryable").asBoolean()).isTrue();
    return failed;
  }

  /**
   * The restarted agent reported the attempt failed; by then the source is open and unchanged, no
   * disk is left, and the target shows no database of the migration under its final name.
   */
  private static void assertRolledBack(
      String id, int attempt, String steps, PostgresCluster target) {
    awaitAttemptFailed(id, attempt, steps);
    assertSourceOpenAndNoDisk();
    assertThat(target.userDatabases()).doesNotContainAnyElementsOf(DATABASES);
  }

  private static void assertSourceOpenAndNoDisk() {
    assertThat(snapshots(source)).isEqualTo(sourceBefore);
    for (String database : DATABASES) {
      assertThat(canConnect(database)).as("%s takes its application again", database).isTrue();
    }
    try (Stream<Path> left = Files.list(environment.diskRoot(INSTANCE))) {
      assertThat(left.map(Path::getFileName).map(Path::toString)).isEmpty();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Map<String, Map<String, List<List<String>>>> snapshots(PostgresCluster cluster) {
    Map<String, Map<String, List<List<String>>>> snapshots = new HashMap<>();
    for (String database : DATABASES) {
      snapshots.put(database, DatabaseSnapshot.of(cluster, database));
    }
    return snapshots;
  }

  private static boolean canConnect(String database) {
    Properties properties = new Properties();
    properties.setProperty("user", APPLICATION);
    try (Connection connection =
        DriverManager.getConnection(source.jdbcUrl(database), properties)) {
      return connection.isValid(5);
    } catch (SQLException e) {
      return false;
    }
  }
}
