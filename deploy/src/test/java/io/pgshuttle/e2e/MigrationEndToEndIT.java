package io.pgshuttle.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgshuttle.testkit.PostgresCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Acceptance 1 to 3 of "offline migration end to end": through the CLI, the coordinator, the broker
 * and the agent, all real processes of the distribution, on real PostgreSQL clusters.
 */
class MigrationEndToEndIT {
  static final String INSTANCE = "e2e-vm";
  static final List<String> DATABASES = List.of("Reporting Ü", "app");
  static final List<String> ROLES = List.of("Analyst Ü", "app_owner", "app_reader");

  static E2eEnvironment environment;
  static PostgresCluster source;
  static Map<String, Map<String, List<List<String>>>> sourceBefore;

  @BeforeAll
  static void startInstallationAndSource() {
    source = PostgresCluster.startTrusting();
    DatabaseSnapshot.load(source, "postgres", "/e2e/source-globals.sql");
    DatabaseSnapshot.load(source, "app", "/e2e/source-app.sql");
    DatabaseSnapshot.load(source, "Reporting Ü", "/e2e/source-reporting.sql");
    sourceBefore = snapshots(source);
    environment = new E2eEnvironment();
    environment.startAgent(INSTANCE, source, Map.of());
  }

  @AfterAll
  static void stopEverything() {
    Closing.all(environment, source);
  }

  @Test
  void wholeClusterMigratesAndTheTargetEqualsTheSource() throws Exception {
    try (PostgresCluster target = PostgresCluster.startWithPassword("target-pw-Ωmega")) {
      String id = environment.submit(INSTANCE, target, List.of("--jobs", "2"));

      JsonNode status = environment.http().awaitTerminal(id, Duration.ofMinutes(5));

      assertThat(status.path("state").asText())
          .as("status %s%n%s", status, environment.logs())
          .isEqualTo("SUCCEEDED");
      assertThat(stepNames(status))
          .containsExactly(
              "PREFLIGHT",
              "PROVISION_DISK",
              "QUIESCE_SOURCE",
              "DUMP",
              "RESTORE",
              "VERIFY",
              "CUTOVER",
              "CLEANUP");
      assertThat(status.path("verification").asText()).isNotBlank();
      assertThat(target.userDatabases()).containsExactlyInAnyOrderElementsOf(DATABASES);
      assertThat(snapshots(target)).isEqualTo(sourceBefore);
      assertThat(DatabaseSnapshot.roles(target, ROLES))
          .isEqualTo(DatabaseSnapshot.roles(source, ROLES));
      assertThat(canLogIn(target, "app_owner", "owner-pw-e2e")).isTrue();
      assertSourceOpenAndNoDiskLeft();
    }
  }

  @Test
  void targetThatRefusesConnectionsDuringRestoreFailsItsAttemptsUntilItIsBackThenSucceeds()
      throws Exception {
    try (PostgresCluster target = PostgresCluster.startWithPassword("target-pw-2")) {
      // Five attempts, 10 s apart: the checks below and the restart must fit before the last one,
      // and on a slow machine they may outlast one backoff, so a second attempt may meet the
      // target still down. That attempt must fail too, which the assertions check.
      String id =
          environment.submit(INSTANCE, target, List.of("--database", "app", "--max-attempts", "5"));
      await()
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> environment.stepState(id, "RESTORE").equals("RUNNING"));
      target.stop();
      await()
          .atMost(Duration.ofMinutes(2))
          .until(
              () ->
                  environment
                      .http()
                      .status(id)
                      .map(s -> s.path("attempts").path(0).path("state").asText())
                      .orElse("")
                      .equals("FAILED"));
      // The first attempt rolled back on the source and the disk while the target was down.
      assertSourceOpenAndNoDiskLeft();
      target.start();
      Instant targetBack = Instant.now();

      JsonNode status = environment.http().awaitTerminal(id, Duration.ofMinutes(5));

      assertThat(status.path("state").asText())
          .as("status %s%n%s", status, environment.logs())
          .isEqualTo("SUCCEEDED");
      List<JsonNode> attempts = new ArrayList<>();
      status.path("attempts").forEach(attempts::add);
      JsonNode last = attempts.remove(attempts.size() - 1);
      assertThat(last.path("state").asText()).isEqualTo("SUCCEEDED");
      assertThat(attempts)
          .as("attempts before the successful one, each failed while the target was down")
          .isNotEmpty()
          .allSatisfy(
              failed -> {
                assertThat(failed.path("state").asText()).isEqualTo("FAILED");
                assertThat(failed.path("error").asText()).isNotBlank();
                assertThat(failed.path("retryable").asBoolean()).isTrue();
                assertThat(Instant.parse(failed.path("startedAt").asText())).isBefore(targetBack);
              });
      assertThat(target.userDatabases()).containsExactly("app");
      assertThat(DatabaseSnapshot.of(target, "app")).isEqualTo(sourceBefore.get("app"));
      assertSourceOpenAndNoDiskLeft();
    }
  }

  @Test
  void instanceWithoutAnAgentFailsWithinSeconds() {
    try (PostgresCluster target = PostgresCluster.startWithPassword("pw")) {
      String id = environment.submit("nobody-home", target, List.of());

      JsonNode status = environment.http().awaitTerminal(id, Duration.ofSeconds(15));

      assertThat(status.path("state").asText()).isEqualTo("FAILED");
      assertThat(status.path("error").asText()).startsWith("no agent for instance nobody-home");
      assertThat(target.userDatabases()).isEmpty();
    }
  }

  static Map<String, Map<String, List<List<String>>>> snapshots(PostgresCluster cluster) {
    Map<String, Map<String, List<List<String>>>> snapshots = new java.util.TreeMap<>();
    for (String database : DATABASES) {
      snapshots.put(database, DatabaseSnapshot.of(cluster, database));
    }
    return snapshots;
  }

  /** The source takes connections as before the migration, and no disk is left. */
  static void assertSourceOpenAndNoDiskLeft() throws Exception {
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(snapshots(source)).isEqualTo(sourceBefore));
    assertThat(canLogIn(source, "app_reader", null)).isTrue();
    try (var left = Files.list(environment.diskRoot(INSTANCE))) {
      assertThat(left.map(Path::getFileName).map(Path::toString)).isEmpty();
    }
  }

  static boolean canLogIn(PostgresCluster cluster, String role, String password) {
    Properties properties = new Properties();
    properties.setProperty("user", role);
    if (password != null) {
      properties.setProperty("password", password);
    }
    try (var connection = DriverManager.getConnection(cluster.jdbcUrl("app"), properties)) {
      return connection.isValid(5);
    } catch (java.sql.SQLException e) {
      return false;
    }
  }

  static List<String> stepNames(JsonNode status) {
    List<String> names = new ArrayList<>();
    status.path("steps").forEach(step -> names.add(step.path("name").asText()));
    return names;
  }
}
