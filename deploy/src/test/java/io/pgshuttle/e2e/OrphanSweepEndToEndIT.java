package io.pgshuttle.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgshuttle.iaas.Disk;
import io.pgshuttle.iaas.DiskProvisioner;
import io.pgshuttle.iaas.DiskProvisioners;
import io.pgshuttle.iaas.DiskRequest;
import io.pgshuttle.iaas.DiskTags;
import io.pgshuttle.testkit.PostgresCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 3, point 8: the leftovers of a migration that has ended are swept by {@code pgshuttle gc}.
 * The agent process is killed with SIGKILL while RESTORE fills a staging database on the last
 * attempt allowed; the restarted agent rolls back what it can without the target password (source
 * lock, disk) and the migration ends FAILED with its staging database and role left on the target.
 * {@code pgshuttle gc --wait --json} then has the agent finish that rollback with the password the
 * coordinator holds, drop the staging database, and delete a disk of the migration no journal
 * records; the report names each. All real processes of the distribution, real clusters.
 */
class OrphanSweepEndToEndIT {
  private static final String INSTANCE = "e2e-sweep-vm";
  private static final String LEDGER = "ledger";
  private static final String APPLICATION = "ledger_app";
  private static final int ROWS = 600_000;

  private static E2eEnvironment environment;
  private static PostgresCluster source;
  private static PostgresCluster target;
  private final ObjectMapper mapper = new ObjectMapper();

  @BeforeAll
  static void startInstallationSourceAndTarget() {
    source = PostgresCluster.startTrusting();
    source.execute(
        "postgres",
        "CREATE ROLE " + APPLICATION + " LOGIN",
        "CREATE DATABASE " + LEDGER + " OWNER " + APPLICATION);
    // Hex digests compress poorly: pg_restore takes long enough to be killed while it runs.
    source.execute(
        LEDGER,
        "CREATE TABLE entries AS SELECT g AS id, md5(g::text) AS a, md5((g * 7)::text) AS b"
            + " FROM generate_series(1, "
            + ROWS
            + ") g",
        "ALTER TABLE entries ADD PRIMARY KEY (id)",
        "ALTER TABLE entries OWNER TO " + APPLICATION);
    target = PostgresCluster.startWithPassword("target-pw-sweep");
    environment = new E2eEnvironment();
  }

  @AfterAll
  static void stopEverything() {
    if (environment != null) {
      environment.close();
    }
    if (target != null) {
      target.close();
    }
    if (source != null) {
      source.close();
    }
  }

  @Test
  void gcRemovesWhatAMigrationKilledOnItsLastAttemptLeftAndNamesIt() throws Exception {
    List<List<String>> targetRolesBefore = roles(target);
    PgShuttleProcess agent = environment.startAgent(INSTANCE, source, Map.of());
    String id =
        environment.submit(INSTANCE, target, List.of("--database", LEDGER, "--max-attempts", "1"));
    String staging = "pgshuttle_stage_" + id.replace("-", "").substring(0, 12) + "_1";
    await()
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(20))
        .alias("pg_restore fills " + staging)
        .until(
            () ->
                ToolProcesses.connectingTo("pg_restore", target.port()).stream()
                    .anyMatch(command -> command.contains(staging)));
    agent.kill();
    environment.startAgent(INSTANCE, source, Map.of());

    JsonNode status = environment.http().awaitTerminal(id, Duration.ofMinutes(2));
    assertThat(status.path("state").asText()).as("%s", status).isEqualTo("FAILED");
    assertThat(status.path("error").asText())
        // DUMP may still run alongside RESTORE when the agent dies.
        .containsPattern("agent restarted during (DUMP and )?RESTORE")
        .contains("left staging database \"" + staging + "\"");
    assertThat(target.userDatabases()).containsExactly(staging);
    assertThat(roles(target)).contains(List.of(APPLICATION));
    assertThat(diskRoot()).as("the restarted agent deleted the attempt's disk").isEmpty();
    // A second disk of the migration that no journal records, as a cloud create retried behind
    // the agent's back would leave: only a sweep that knows the migration ended removes it.
    DiskProvisioner disks =
        DiskProvisioners.create("local", Map.of("root", environment.diskRoot(INSTANCE).toString()));
    Disk unrecorded =
        disks.create(new DiskRequest(id + "-unrecorded", 1, DiskTags.forAttempt(INSTANCE, id, 1)));
    disks.attach(unrecorded.id());

    PgShuttleProcess.Result gc = environment.runCli(List.of("gc", "--wait", "--json"));

    assertThat(gc.exitCode()).as(gc.output() + gc.errors() + environment.logs()).isZero();
    JsonNode sweep = mapper.readTree(gc.output());
    assertThat(sweep.path("complete").asBoolean()).isTrue();
    assertThat(sweep.path("instances")).hasSize(1);
    JsonNode report = sweep.path("instances").get(0);
    assertThat(report.path("instanceId").asText()).isEqualTo(INSTANCE);
    assertThat(report.path("state").asText()).isEqualTo("REPORTED");
    assertThat(leftovers(report.path("removed")))
        .containsExactly(
            "DISK " + unrecorded.id() + " " + id,
            "ROLLBACK attempt 1 " + id,
            "DATABASE " + staging + " " + id);
    assertThat(report.at("/removed/1/detail").asText())
        .startsWith("RESTORE: left staging database \"" + staging + "\", role \"" + APPLICATION);
    assertThat(report.path("notRemoved")).isEmpty();
    assertThat(report.path("cleanMigrations").get(0).asText()).isEqualTo(id);
    assertThat(gc.output() + gc.errors()).doesNotContain(target.password());
    assertThat(target.userDatabases()).isEmpty();
    assertThat(roles(target)).isEqualTo(targetRolesBefore);
    assertThat(diskRoot()).isEmpty();
    assertThat(environment.http().status(id).orElseThrow().path("state").asText())
        .isEqualTo("FAILED");

    PgShuttleProcess.Result again = environment.runCli(List.of("gc", "--wait"));

    assertThat(again.exitCode()).as(again.output() + again.errors()).isZero();
    assertThat(again.output())
        .as("a migration reported clean is not named again")
        .contains(": no ended migration is waiting to be swept");
  }

  private static List<List<String>> roles(PostgresCluster cluster) {
    return cluster.query("postgres", "SELECT rolname FROM pg_roles ORDER BY 1");
  }

  private static List<String> diskRoot() throws Exception {
    try (Stream<Path> files = Files.list(environment.diskRoot(INSTANCE))) {
      return files.map(path -> path.getFileName().toString()).toList();
    }
  }

  /** Each leftover as {@code KIND name migrationId}. */
  private static List<String> leftovers(JsonNode list) {
    List<String> leftovers = new ArrayList<>();
    list.forEach(
        leftover ->
            leftovers.add(
                leftover.path("kind").asText()
                    + " "
                    + leftover.path("name").asText()
                    + " "
                    + leftover.path("migrationId").asText()));
    return leftovers;
  }
}
