package io.pgshuttle.agent.steps;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgshuttle.agent.pipeline.TestCancellation;
import io.pgshuttle.agent.postgres.PgConnector;
import io.pgshuttle.agent.postgres.PgEndpoint;
import io.pgshuttle.agent.postgres.PgTools;
import io.pgshuttle.agent.transfer.Checksum;
import io.pgshuttle.agent.transfer.DumpLayout;
import io.pgshuttle.agent.transfer.Manifest;
import io.pgshuttle.agent.transfer.TableDumper;
import io.pgshuttle.agent.transfer.TableHandoff;
import io.pgshuttle.agent.transfer.TableLoader;
import io.pgshuttle.agent.transfer.TableReadBack;
import io.pgshuttle.testkit.PostgresCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The transfer engine between two real clusters: DUMP's {@link TableDumper} and RESTORE's {@link
 * TableLoader} running at the same time through one {@link TableHandoff}, on awkward types and
 * names, a large table cut into ranges; and the dump on the disk restored by hand with pg_restore
 * and psql as RESTORE-BY-HAND says.
 */
class TableTransferIT {
  private static final String DATABASE = "awkward";
  private static final String STAGING = "staging";
  private static final String BY_HAND = "by_hand";
  private static final String[] FIXTURE = {
    "CREATE SCHEMA \"we.ird*\"",
    "CREATE TABLE \"we.ird*\".\"Ta\"\"ble?\" (id int PRIMARY KEY, \"co\"\"l\ttab\" text, b bytea,"
        + " arr text[], j jsonb, js json, n numeric, f float8, r real, ts timestamptz, d date,"
        + " iv interval, gone int, doubled int GENERATED ALWAYS AS (id * 2) STORED)",
    "ALTER TABLE \"we.ird*\".\"Ta\"\"ble?\" DROP COLUMN gone",
    "INSERT INTO \"we.ird*\".\"Ta\"\"ble?\" VALUES"
        + " (1, E'tab\\there\\nnewline\\\\backslash \u00e9\u4e2d', '\\x00ff0a5c'::bytea,"
        + " ARRAY['a,b', NULL, '\"q\"', E'back\\\\slash'], '{\"k\": [1, null, \"x\\ny\"]}',"
        + " '{\"a\" :  1}', 1.50, 0.1, 1.1, '2024-02-29 12:34:56.789+05', '2024-02-29',"
        + " '1 year 2 mons 3 days 04:05:06.7'),"
        + " (2, NULL, NULL, NULL, NULL, NULL, NULL, 'NaN', '-Infinity', 'infinity', NULL, NULL),"
        + " (3, '', '', '{}', '[]', 'null', -0.0, -0.0, 1e-30, '-infinity', '0001-01-01 BC',"
        + " '-1 days')",
    // A name the pattern of the one above would match if ? were a wildcard.
    "CREATE TABLE \"we.ird*\".\"Ta\"\"bleX\" (v int)",
    "INSERT INTO \"we.ird*\".\"Ta\"\"bleX\" VALUES (7)",
    "CREATE TABLE measurements (city int, logdate date, peak text) PARTITION BY RANGE (logdate)",
    "CREATE TABLE measurements_2023 PARTITION OF measurements"
        + " FOR VALUES FROM ('2023-01-01') TO ('2024-01-01')",
    "CREATE TABLE measurements_2024 PARTITION OF measurements"
        + " FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
    "INSERT INTO measurements SELECT g % 10, date '2023-01-01' + g % 700, repeat('p', g % 50)"
        + " FROM generate_series(1, 5000) g",
    "CREATE UNLOGGED TABLE scratch AS SELECT g AS id, md5(g::text) AS h"
        + " FROM generate_series(1, 3000) g",
    "CREATE TABLE big (id bigserial PRIMARY KEY, payload text)",
    "INSERT INTO big (payload) SELECT repeat(md5(g::text), 4) FROM generate_series(1, 20000) g",
    "CREATE TABLE ref (big_id bigint REFERENCES big (id))",
    "INSERT INTO ref SELECT g FROM generate_series(1, 100) g",
    "CREATE TABLE parent_t (id int)",
    "CREATE TABLE child_t () INHERITS (parent_t)",
    "INSERT INTO parent_t VALUES (1)",
    "INSERT INTO child_t VALUES (2)",
    "CREATE TABLE nocols ()",
    "INSERT INTO nocols DEFAULT VALUES",
    "INSERT INTO nocols DEFAULT VALUES",
    "SELECT lo_from_bytea(0, '\\xdeadbeef'::bytea)",
    "CREATE SEQUENCE counter START 42",
    "SELECT setval('counter', 100)",
    "CREATE MATERIALIZED VIEW per_city AS SELECT city, count(*) FROM measurements GROUP BY city",
    "ANALYZE"
  };

  private PostgresCluster source;
  private PostgresCluster target;
  private Path work;

  @BeforeEach
  void start() throws IOException {
    source = PostgresCluster.startTrusting();
    target = PostgresCluster.startTrusting();
    work = Files.createTempDirectory("pgshuttle-transfer-it-");
    source.execute("postgres", "CREATE DATABASE " + DATABASE);
    source.execute(DATABASE, FIXTURE);
    target.execute("postgres", "CREATE DATABASE " + STAGING, "CREATE DATABASE " + BY_HAND);
  }

  @AfterEach
  void stop() {
    try {
      source.close();
      target.close();
    } finally {
      PostgresCluster.deleteRecursively(work);
    }
  }

  @Test
  void loadsWhileItDumpsAndTheDiskRestoresByHandToTheSameData() throws Exception {
    Transfer transfer = transfer(TableDumper.MAX_TABLES);
    Manifest manifest = transfer.manifest();

    assertThat(transfer.tablesKnown()).containsExactly(10);
    assertThat(manifest.checksums()).hasSize(10).isEqualTo(transfer.readBack());
    assertThat(manifest.checksums().get("\"public\".\"big\"").rows()).isEqualTo(20_000);
    assertThat(manifest.tables())
        .filteredOn(table -> table.name().equals("big"))
        .singleElement()
        .satisfies(big -> assertThat(big.files()).hasSizeGreaterThan(2));
    assertThat(manifest.tables())
        .filteredOn(table -> table.name().equals("Ta\"ble?"))
        .singleElement()
        .satisfies(
            table ->
                assertThat(table.columns())
                    .containsExactly(
                        "id", "co\"l\ttab", "b", "arr", "j", "js", "n", "f", "r", "ts", "d", "iv"));
    MigrationPipelineIT.assertSameData(source, DATABASE, target, STAGING);

    restoreByHand(transfer.directory());
    MigrationPipelineIT.assertSameData(source, DATABASE, target, BY_HAND);
  }

  @Test
  void theRowsOfTheSmallestTablesBeyondTheLimitStayInTheSchemaDumpAndRestoreAlike()
      throws Exception {
    Transfer transfer = transfer(3);
    Manifest manifest = transfer.manifest();

    List<String> largest =
        source
            .query(
                DATABASE,
                "SELECT qualified FROM (SELECT '\"' || replace(n.nspname, '\"', '\"\"')"
                    + " || '\".\"' || replace(c.relname, '\"', '\"\"') || '\"' AS qualified,"
                    + " pg_relation_size(c.oid) AS size"
                    + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                    + " WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog',"
                    + " 'information_schema')) t ORDER BY size DESC, qualified COLLATE \"C\""
                    + " LIMIT 3")
            .stream()
            .map(row -> row.get(0))
            .toList();
    assertThat(largest).contains("\"public\".\"big\"");
    assertThat(transfer.tablesKnown()).containsExactly(3);
    assertThat(manifest.checksums()).containsOnlyKeys(largest).isEqualTo(transfer.readBack());
    assertThat(Files.readString(transfer.directory().resolve("load-data.psql")))
        .doesNotContain("Ta\"\"ble?", "nocols", "child_t");
    MigrationPipelineIT.assertSameData(source, DATABASE, target, STAGING);

    restoreByHand(transfer.directory());
    MigrationPipelineIT.assertSameData(source, DATABASE, target, BY_HAND);
  }

  /**
   * A transfer's outcome.
   *
   * @param tablesKnown what RESTORE was told of the number of tables
   * @param readBack the staging database's tables read back as VERIFY does
   */
  private record Transfer(
      Path directory,
      Manifest manifest,
      List<Integer> tablesKnown,
      SortedMap<String, Checksum> readBack) {}

  /** DUMP and RESTORE at once, copying at most {@code maxTables} tables into files. */
  private Transfer transfer(int maxTables) throws Exception {
    PgTools tools = new PgTools(PostgresCluster.defaultBinDir(), work.resolve("passfiles"));
    PgConnector connector = new PgConnector();
    PgEndpoint sourceEndpoint = PgEndpoint.source(source.url(), null);
    PgEndpoint targetEndpoint = BackgroundDump.target(target);
    Path directory = work.resolve("dump/1");
    TableHandoff handoff = new TableHandoff();
    TestCancellation cancellation = new TestCancellation();
    List<Integer> tablesKnown = new ArrayList<>();

    CompletableFuture<Manifest> dumping =
        BackgroundDump.start(
            connector,
            tools,
            new TableDumper.Request(
                sourceEndpoint, 1, DATABASE, directory, 2, 64, maxTables, handoff, file -> {}),
            cancellation);
    new TableLoader(connector, tools)
        .load(
            new TableLoader.Request(
                targetEndpoint,
                1,
                STAGING,
                2,
                TableLoader.EARLY_INDEX_MIN_PAGES,
                handoff,
                tablesKnown::add,
                () -> {}),
            cancellation);
    Manifest manifest = dumping.get(5, TimeUnit.MINUTES);
    return new Transfer(
        directory,
        manifest,
        tablesKnown,
        new TableReadBack(connector).checksums(targetEndpoint, STAGING, manifest, 2, cancellation));
  }

  /** What RESTORE-BY-HAND tells a person to do, with the standard tools. */
  private void restoreByHand(Path directory) throws Exception {
    assertThat(DumpLayout.BY_HAND)
        .contains("pg_restore --section=pre-data")
        .contains("psql -v ON_ERROR_STOP=1 -d NAME -f load-data.psql")
        .contains("--section=data --section=post-data")
        .contains("the largest tables, up to 1,000;");
    Path bin = PostgresCluster.defaultBinDir();
    String dbname = target.url() + "/" + BY_HAND;
    run(
        directory,
        bin.resolve("pg_restore").toString(),
        "--section=pre-data",
        "--exit-on-error",
        "--no-tablespaces",
        "-d",
        dbname,
        "schema.dump");
    run(
        directory,
        bin.resolve("psql").toString(),
        "-X",
        "-v",
        "ON_ERROR_STOP=1",
        "-d",
        dbname,
        "-f",
        "load-data.psql");
    run(
        directory,
        bin.resolve("pg_restore").toString(),
        "-j",
        "2",
        "--section=data",
        "--section=post-data",
        "--exit-on-error",
        "--no-tablespaces",
        "-d",
        dbname,
        "schema.dump");
  }

  private static void run(Path directory, String... command) throws Exception {
    Process process =
        new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as("%s: %s", String.join(" ", command), output).isZero();
  }
}
