package io.pgshuttle.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgshuttle.testkit.PostgresCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 3, point 7: {@code pgshuttle cancel ID} stops a migration in the middle of DUMP, through
 * the CLI, the coordinator, the broker's control binding and the busy agent, all real processes of
 * the distribution on real PostgreSQL clusters.
 */
class CancelEndToEndIT {
  private static final String INSTANCE = "e2e-cancel-vm";
  private static final String DATABASE = "Big Ledger";
  private static final int ROWS = 100_000;

  private static E2eEnvironment environment;
  private static PostgresCluster source;
  private static Map<String, List<List<String>>> sourceBefore;

  @BeforeAll
  static void startInstallationAndABigSource() {
    source = PostgresCluster.startTrusting();
    source.execute("postgres", "CREATE ROLE ledger_app LOGIN");
    source.execute(
        "postgres", "CREATE DATABASE \"" + DATABASE + "\" OWNER ledger_app CONNECTION LIMIT 20");
    source.execute("postgres", "REVOKE CONNECT ON DATABASE \"" + DATABASE + "\" FROM PUBLIC");
    source.execute("postgres", "GRANT CONNECT ON DATABASE \"" + DATABASE + "\" TO ledger_app");
    source.execute(
        DATABASE,
        "CREATE TABLE entries AS SELECT g AS id, md5(g::text) AS a, md5((g * 7)::text) AS b,"
            + " now() AS booked_at FROM generate_series(1, "
            + ROWS
            + ") g");
    sourceBefore = DatabaseSnapshot.of(source, DATABASE);
    environment = new E2eEnvironment();
    // pg_dump pauses before it dumps, so the cancel finds it running however fast the disk is.
    environment.startAgent(
        INSTANCE,
        source,
        Map.of(
            "PGSHUTTLE_PG_BINDIR",
            PausingTools.in(environment.work(), Map.of("pg_dump", 120)).toString()));
  }

  @AfterAll
  static void stopEverything() {
    Closing.all(environment, source);
  }

  @Test
  void cancelDuringDumpStopsPgDumpRollsBackAndEndsCancelledWithoutRetry() throws Exception {
    try (PostgresCluster target = PostgresCluster.startWithPassword("target-pw-cancel")) {
      String id =
          environment.submit(
              INSTANCE,
              target,
              List.of("--database", DATABASE, "--jobs", "1", "--max-attempts", "3"));
      await()
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> environment.stepState(id, "DUMP").equals("RUNNING"));
      await()
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(20))
          .alias("a pg_dump of the source runs")
          .until(() -> !pgDumpsOfSource().isEmpty());

      PgShuttleProcess.Result cancel =
          environment.runCli(List.of("cancel", id, "--reason", "operator changed plans"));

      assertThat(cancel.exitCode()).as(cancel.errors()).isZero();
      assertThat(cancel.output()).contains(id);
      JsonNode status = environment.http().awaitTerminal(id, Duration.ofMinutes(1));
      assertThat(status.path("state").asText())
          .as("status %s%n%s", status, environment.logs())
          .isEqualTo("CANCELLED");
      assertThat(status.path("error").asText())
          .startsWith("cancelled on request: operator changed plans (attempt 1 ended: ");
      assertThat(status.path("cancelReason").asText()).isEqualTo("operator changed plans");
      assertThat(status.path("attempt").asInt()).isEqualTo(1);
      assertThat(status.path("attempts")).hasSize(1);
      // The cancel hit DUMP and RESTORE, which runs alongside it: both failed, nothing after began.
      assertThat(stepStates(status))
          .containsEntry("DUMP", "FAILED")
          .containsEntry("RESTORE", "FAILED")
          .containsEntry("VERIFY", "PENDING")
          .containsEntry("CUTOVER", "PENDING");
      JsonNode attempt = status.path("attempts").path(0);
      assertThat(attempt.path("state").asText()).isEqualTo("FAILED");
      assertThat(attempt.path("retryable").asBoolean(true)).isFalse();
      assertThat(attempt.path("error").asText()).contains("migration cancelled");

      // CANCELLED is reported once the rollback is done: nothing may be left at this moment.
      assertThat(pgDumpsOfSource()).isEmpty();
      assertThat(DatabaseSnapshot.of(source, DATABASE)).isEqualTo(sourceBefore);
      assertThat(canConnect(source, "ledger_app")).isTrue();
      try (Stream<Path> left = Files.list(environment.diskRoot(INSTANCE))) {
        assertThat(left.map(Path::getFileName).map(Path::toString)).isEmpty();
      }
      assertThat(target.userDatabases()).isEmpty();

      // Cancelling again changes nothing; --wait returns at once with the final status.
      PgShuttleProcess.Result again = environment.runCli(List.of("cancel", id, "--wait", "--json"));
      assertThat(again.exitCode()).as(again.errors()).isZero();
      JsonNode ended = new ObjectMapper().readTree(again.output());
      assertThat(ended.path("state").asText()).isEqualTo("CANCELLED");
      assertThat(ended.path("error").asText()).isEqualTo(status.path("error").asText());
      assertThat(ended.path("attempts")).hasSize(1);

      // The audit log holds the command, both cancels with who asked, and the CancelMigration.
      PgShuttleProcess.Result audit =
          environment.runCli(List.of("audit", "--migration", id, "--json"));
      assertThat(audit.exitCode()).as(audit.errors()).isZero();
      List<String> trail = new ArrayList<>();
      new ObjectMapper()
          .readTree(audit.output())
          .path("entries")
          .forEach(entry -> trail.add(auditLine(entry)));
      assertThat(trail)
          .containsExactly(
              "e2e CANCEL_REQUESTED",
              "coordinator COMMAND_ISSUED CancelMigration",
              "e2e CANCEL_REQUESTED operator changed plans",
              "coordinator COMMAND_ISSUED StartMigration");
    }
  }

  /** {@code <who> <action> <command type or cancel reason>} of an audit entry. */
  private static String auditLine(JsonNode entry) {
    JsonNode detail = entry.path("detail");
    String what =
        detail.has("type") ? detail.path("type").asText() : detail.path("reason").asText();
    return (entry.path("who").asText() + " " + entry.path("action").asText() + " " + what).strip();
  }

  private static Map<String, String> stepStates(JsonNode status) {
    Map<String, String> states = new HashMap<>();
    status
        .path("steps")
        .forEach(step -> states.put(step.path("name").asText(), step.path("state").asText()));
    return states;
  }

  /** Whether {@code role} may connect to the database, as an application would. */
  private static boolean canConnect(PostgresCluster cluster, String role) {
    Properties properties = new Properties();
    properties.setProperty("user", role);
    try (Connection connection =
        DriverManager.getConnection(cluster.jdbcUrl(DATABASE), properties)) {
      return connection.isValid(5);
    } catch (SQLException e) {
      return false;
    }
  }

  /** Command lines of running pg_dump or pg_dumpall processes that connect to the source. */
  private static List<String> pgDumpsOfSource() {
    return ToolProcesses.connectingTo("pg_dump", source.port());
  }
}
