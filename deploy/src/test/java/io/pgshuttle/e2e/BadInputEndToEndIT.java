package io.pgshuttle.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.pgshuttle.testkit.PostgresCluster;
import io.pgshuttle.testkit.TestBroker;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Acceptance 4 of "offline migration end to end": each bad input ends as a FAILED migration or a
 * dead-lettered request with a reason a person can act on, and changes nothing: the source takes
 * connections as before, and no disk, staging database or role is left behind.
 */
class BadInputEndToEndIT {
  static final String INSTANCE = "bad-input-vm";
  static final Duration DEAD_LETTER_WAIT = Duration.ofSeconds(20);
  static E2eEnvironment environment;
  static PostgresCluster source;
  static Map<String, List<List<String>>> sourceBefore;
  static PostgresCluster target;

  @BeforeAll
  static void start() {
    source = PostgresCluster.startTrusting();
    source.execute(
        "postgres",
        "CREATE ROLE shop_owner LOGIN",
        "CREATE DATABASE shop OWNER shop_owner",
        "ALTER DATABASE shop CONNECTION LIMIT 20");
    source.execute(
        "shop",
        "CREATE TABLE items (id int PRIMARY KEY, name text)",
        "INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 1000) g",
        "ALTER TABLE items OWNER TO shop_owner");
    sourceBefore = DatabaseSnapshot.of(source, "shop");
    target = PostgresCluster.startWithPassword("right-pw");
    environment = new E2eEnvironment();
    environment.startAgent(INSTANCE, source, Map.of());
  }

  @AfterAll
  static void stop() {
    Closing.all(environment, target, source);
  }

  @AfterEach
  void nothingChanged() throws Exception {
    assertThat(DatabaseSnapshot.of(source, "shop")).isEqualTo(sourceBefore);
    assertThat(target.query("postgres", "SELECT rolname FROM pg_roles WHERE rolname !~ '^pg_'"))
        .containsExactly(List.of("postgres"));
    assertThat(target.userDatabases()).allMatch(name -> !name.startsWith("pgshuttle"));
    try (var disks = Files.list(environment.diskRoot(INSTANCE))) {
      assertThat(disks).isEmpty();
    }
  }

  @Test
  void malformedRequestJsonIsDeadLetteredWithTheReason() throws Exception {
    publishRaw("{\"type\":\"MigrationRequest\", this is not json");

    JsonNode deadLetter = environment.http().awaitDeadLetter("malformed", DEAD_LETTER_WAIT);

    assertThat(deadLetter.path("detail").asText()).contains("malformed JSON");
    assertThat(deadLetter.path("body").asText()).contains("this is not json");
  }

  @Test
  void invalidRequestIsDeadLetteredWithoutItsPassword() throws Exception {
    publishRaw(
        "{\"type\":\"MigrationRequest\",\"version\":1,"
            + "\"messageId\":\"6f1c2a4e-0d65-4c3e-9f7e-3d2b1a0c9e8f\",\"instanceId\":\"bad.id\","
            + "\"migrationId\":\"0b7d1f7e-5c1a-3d1e-8a9b-1c2d3e4f5a6b\",\"attempt\":0,\"seq\":0,"
            + "\"emittedAt\":\"2026-11-26T10:00:00Z\",\"body\":{\"requestId\":\"r-bad\","
            + "\"instanceId\":\"bad.id\",\"target\":{\"host\":\"db\",\"port\":5432,"
            + "\"user\":\"postgres\",\"password\":\"leak-me-4711\"}}}");

    JsonNode deadLetter = environment.http().awaitDeadLetter("invalid", DEAD_LETTER_WAIT);

    assertThat(deadLetter.path("detail").asText()).contains("instanceId 'bad.id' is invalid");
    assertThat(deadLetter.path("requestId").asText()).isEqualTo("r-bad");
    assertThat(deadLetter.toString()).doesNotContain("leak-me-4711");
  }

  @Test
  void unreachableTargetFailsNamingIt() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    JsonNode status =
        failed(environment.submit(INSTANCE, closedPort, "x", List.of("--max-attempts", "1")));
    assertThat(status.path("error").asText()).contains("127.0.0.1:" + closedPort);
  }

  @Test
  void wrongTargetPasswordFailsWithoutRetrying() {
    JsonNode status =
        failedForGood(environment.submit(INSTANCE, target.port(), "wrong-pw", List.of()));
    assertThat(status.path("error").asText()).contains("password");
  }

  @Test
  void targetDatabaseThatExistsFailsNamingIt() {
    target.execute("postgres", "CREATE DATABASE shop");
    try {
      JsonNode status = failedForGood(environment.submit(INSTANCE, target, List.of()));
      assertThat(status.path("error").asText()).contains("shop").contains("exists");
      assertThat(target.queryValue("shop", "SELECT count(*) FROM pg_class WHERE relname = 'items'"))
          .isEqualTo("0");
    } finally {
      target.execute("postgres", "DROP DATABASE shop");
    }
  }

  @Test
  void databaseMissingOnTheSourceFailsNamingIt() {
    JsonNode status =
        failedForGood(environment.submit(INSTANCE, target, List.of("--database", "no_such_db")));
    assertThat(status.path("error").asText()).contains("no_such_db");
  }

  @Test
  void pgDumpOlderThanTheSourceFailsSayingWhichToolsToUse() throws Exception {
    Path tools = environment.work().resolve("old-tools");
    Files.createDirectories(tools);
    Path pgDump = tools.resolve("pg_dump");
    Files.writeString(pgDump, "#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n");
    Files.setPosixFilePermissions(pgDump, PosixFilePermissions.fromString("rwxr-xr-x"));
    for (String tool : List.of("pg_restore", "pg_dumpall", "psql")) {
      Files.createSymbolicLink(tools.resolve(tool), PostgresCluster.defaultBinDir().resolve(tool));
    }
    String instance = "old-tools-vm";
    environment.startAgent(instance, source, Map.of("PGSHUTTLE_PG_BINDIR", tools.toString()));

    JsonNode status = failedForGood(environment.submit(instance, target, List.of()));

    assertThat(status.path("error").asText()).contains("older").contains("PGSHUTTLE_PG_BINDIR");
  }

  @Test
  void missingDiskRootFailsNamingTheSetting() {
    String instance = "no-disk-vm";
    environment.startAgent(
        instance,
        source,
        Map.of("PGSHUTTLE_LOCAL_DISK_ROOT", environment.work().resolve("no-such-root").toString()));

    JsonNode status = failedForGood(environment.submit(instance, target, List.of()));

    assertThat(status.path("error").asText()).contains("PGSHUTTLE_LOCAL_DISK_ROOT");
    assertThat(environment.work().resolve("no-such-root")).doesNotExist();
  }

  /** A failure a person must fix: one attempt, marked not retryable in the status. */
  private static JsonNode failedForGood(String migrationId) {
    JsonNode status = failed(migrationId);
    assertThat(status.path("attempts")).hasSize(1);
    assertThat(status.path("attempts").path(0).path("retryable").asBoolean(true)).isFalse();
    return status;
  }

  private static JsonNode failed(String migrationId) {
    JsonNode status = environment.http().awaitTerminal(migrationId, Duration.ofMinutes(2));
    assertThat(status.path("state").asText())
        .as("status %s%n%s", status, environment.logs())
        .isEqualTo("FAILED");
    return status;
  }

  private static void publishRaw(String body) throws Exception {
    try (Connection connection = connect();
        Channel channel = connection.createChannel()) {
      channel.basicPublish("", environment.topology().requestsQueue(), null, body.getBytes(UTF_8));
    }
  }

  private static Connection connect() throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(TestBroker.uri());
    return factory.newConnection("pgshuttle-e2e-test");
  }
}
