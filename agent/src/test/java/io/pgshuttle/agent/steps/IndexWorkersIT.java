package io.pgshuttle.agent.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgshuttle.agent.pipeline.StepException;
import io.pgshuttle.agent.pipeline.TestCancellation;
import io.pgshuttle.agent.postgres.Jdbc;
import io.pgshuttle.agent.postgres.PgConnector;
import io.pgshuttle.agent.postgres.PgEndpoint;
import io.pgshuttle.agent.postgres.PgTools;
import io.pgshuttle.agent.transfer.Manifest;
import io.pgshuttle.agent.transfer.TableCatalog;
import io.pgshuttle.agent.transfer.TableDumper;
import io.pgshuttle.agent.transfer.TableHandoff;
import io.pgshuttle.agent.transfer.TableIndex;
import io.pgshuttle.agent.transfer.TableLoader;
import io.pgshuttle.testkit.PostgresCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RESTORE's index workers between two real clusters: each copied table's indexes and primary key,
 * unique and exclusion constraints are built as soon as the table is loaded, the rest of the
 * post-data after; the staging database ends with every index and constraint of the source, defined
 * the same.
 */
class IndexWorkersIT {
  private static final String DATABASE = "indexed";
  private static final String STAGING = "staging";
  private static final String[] FIXTURE = {
    "CREATE EXTENSION IF NOT EXISTS plpgsql",
    // Large enough to be cut into ranges, with two plain indexes and a primary key to build.
    "CREATE TABLE big (id bigint PRIMARY KEY, payload text, grp int)",
    "INSERT INTO big SELECT g, repeat(md5(g::text), 4), g % 97 FROM generate_series(1, 20000) g",
    "CREATE INDEX big_payload_idx ON big (payload)",
    "CREATE INDEX big_grp_idx ON big (grp) INCLUDE (id)",
    "ALTER TABLE big CLUSTER ON big_pkey",
    "COMMENT ON INDEX big_grp_idx IS 'by group'",
    // A foreign key referencing a primary key the index workers build.
    "CREATE TABLE ref (big_id bigint REFERENCES big (id) ON DELETE CASCADE, note text)",
    "INSERT INTO ref SELECT g, 'n' || g FROM generate_series(1, 500) g",
    "CREATE INDEX ref_big_idx ON ref (big_id)",
    // Unique (deferrable) and exclusion constraints.
    "CREATE TABLE booking (room int, during int4range, code text,"
        + " CONSTRAINT booking_code UNIQUE (code) DEFERRABLE INITIALLY DEFERRED,"
        + " CONSTRAINT booking_no_overlap EXCLUDE USING gist (during WITH &&))",
    "INSERT INTO booking SELECT g, int4range(g * 10, g * 10 + 5), 'c' || g"
        + " FROM generate_series(1, 300) g",
    // A partitioned table with a partitioned primary key and index, and a partition's own index.
    "CREATE TABLE events (id int, at date, kind text, PRIMARY KEY (id, at))"
        + " PARTITION BY RANGE (at)",
    "CREATE TABLE events_2023 PARTITION OF events FOR VALUES FROM ('2023-01-01') TO ('2024-01-01')",
    "CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
    "CREATE INDEX events_kind_idx ON events (kind)",
    "CREATE INDEX events_2024_own ON events_2024 (id) WHERE kind = 'x'",
    "INSERT INTO events SELECT g, date '2023-01-01' + g % 700, 'k' || g % 7"
        + " FROM generate_series(1, 3000) g",
    // Hostile names, an expression index and a partial one.
    "CREATE SCHEMA \"we.ird \"\"s\"",
    "CREATE TABLE \"we.ird \"\"s\".\"ta ble.\"\"x\" (\"i d\" int CONSTRAINT \"p k.\"\"1\" PRIMARY"
        + " KEY, name text, flag bool)",
    "INSERT INTO \"we.ird \"\"s\".\"ta ble.\"\"x\" SELECT g, 'Name ' || g, g % 3 = 0"
        + " FROM generate_series(1, 1000) g",
    "CREATE INDEX \"lower.name \"\"i\" ON \"we.ird \"\"s\".\"ta ble.\"\"x\" ((lower(name)))",
    "CREATE UNIQUE INDEX \"flagged; i\" ON \"we.ird \"\"s\".\"ta ble.\"\"x\" (name)"
        + " WHERE flag",
    // A primary key that is also the replica identity, which its dump's entry sets too.
    "CREATE TABLE ident (id int PRIMARY KEY, v text)",
    "INSERT INTO ident SELECT g, 'v' FROM generate_series(1, 100) g",
    "ALTER TABLE ident REPLICA IDENTITY USING INDEX ident_pkey",
    // Indexes the final pass builds: a materialized view's.
    "CREATE MATERIALIZED VIEW per_grp AS SELECT grp, count(*) FROM big GROUP BY grp",
    "CREATE UNIQUE INDEX per_grp_idx ON per_grp (grp)",
    "ANALYZE"
  };

  /**
   * Every index of the database: schema, table, name, definition, whether clustered on, whether the
   * replica identity.
   */
  private static final String INDEXES =
      "SELECT n.nspname, t.relname, c.relname, pg_get_indexdef(i.indexrelid), i.indisclustered,"
          + " i.indisreplident"
          + " FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
          + " JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace"
          + " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')";

  /** Every constraint: schema, table, name, definition, the index it uses. */
  private static final String CONSTRAINTS =
      "SELECT n.nspname, t.relname, k.conname, pg_get_constraintdef(k.oid),"
          + " coalesce(k.conindid::regclass::text, '')"
          + " FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid"
          + " JOIN pg_namespace n ON n.oid = t.relnamespace"
          + " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')";

  private static final String INDEX_COMMENTS =
      "SELECT c.relname, obj_description(c.oid, 'pg_class') FROM pg_class c"
          + " WHERE c.relkind = 'i' AND obj_description(c.oid, 'pg_class') IS NOT NULL";

  private PostgresCluster source;
  private PostgresCluster target;
  private Path work;
  private PgTools tools;
  private final PgConnector connector = new PgConnector();

  @BeforeEach
  void start() throws IOException {
    source = PostgresCluster.startTrusting();
    target = PostgresCluster.startTrusting();
    work = Files.createTempDirectory("pgshuttle-index-it-");
    tools = new PgTools(PostgresCluster.defaultBinDir(), work.resolve("passfiles"));
    source.execute("postgres", "CREATE DATABASE " + DATABASE);
    source.execute(DATABASE, FIXTURE);
    target.execute("postgres", "CREATE DATABASE " + STAGING);
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
  void buildsEveryIndexAndConstraintOfTheSourceAsTheTablesAreLoaded() throws Exception {
    TableLoader.Result result = transfer(new TestCancellation());

    // big: 2 indexes and its key; ref: 1 index; booking: 2 constraints; the partitions: their
    // keys, their share of the partitioned index, events_2024's own; the hostile table: 2
    // indexes and its key; ident: its key. Not the partitioned parent's, nor the materialized
    // view's.
    assertThat(result.indexes()).isEqualTo(3 + 1 + 2 + 2 + 2 + 1 + 3 + 1);
    assertThat(rows(target, STAGING, INDEXES))
        .hasSize(rows(source, DATABASE, INDEXES).size())
        .isEqualTo(rows(source, DATABASE, INDEXES));
    assertThat(rows(target, STAGING, CONSTRAINTS)).isEqualTo(rows(source, DATABASE, CONSTRAINTS));
    assertThat(rows(target, STAGING, INDEX_COMMENTS))
        .isEqualTo(rows(source, DATABASE, INDEX_COMMENTS))
        .hasSize(1);
    // The partitions' indexes are attached to the partitioned ones, as on the source.
    String attached =
        "SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            + " WHERE c.relkind = 'i'";
    assertThat(target.queryValue(STAGING, attached))
        .isEqualTo(source.queryValue(DATABASE, attached))
        .isEqualTo("4");
    // The foreign key holds and is enforced.
    assertThatThrownBy(() -> target.execute(STAGING, "INSERT INTO ref VALUES (999999, 'x')"))
        .hasMessageContaining("ref_big_id_fkey");
    assertThat(result.waitingAndLoading()).isPositive();
  }

  @Test
  void primaryKeysAndUniqueConstraintsBuildIndexFirstUnlessTheirEntrySetsMore() throws Exception {
    Map<String, TableIndex.IndexFirst> constraints = new HashMap<>();
    try (Connection connection =
        connector.connect(PgEndpoint.source(source.url(), null), DATABASE)) {
      Jdbc.execute(connection, "SET search_path = ''", "BEGIN");
      for (TableIndex index : TableCatalog.indexes(connection)) {
        if (index.constraint()) {
          constraints.put(index.name(), index.indexFirst());
        }
      }
    }

    assertThat(constraints.get("booking_code"))
        .isEqualTo(
            new TableIndex.IndexFirst(
                "CREATE UNIQUE INDEX booking_code ON public.booking USING btree (code)",
                "ALTER TABLE ONLY public.booking ADD CONSTRAINT booking_code UNIQUE USING INDEX"
                    + " booking_code DEFERRABLE INITIALLY DEFERRED"));
    assertThat(constraints.get("p k.\"1"))
        .isEqualTo(
            new TableIndex.IndexFirst(
                "CREATE UNIQUE INDEX \"p k.\"\"1\" ON \"we.ird \"\"s\".\"ta ble.\"\"x\""
                    + " USING btree (\"i d\")",
                "ALTER TABLE ONLY \"we.ird \"\"s\".\"ta ble.\"\"x\" ADD CONSTRAINT \"p k.\"\"1\""
                    + " PRIMARY KEY USING INDEX \"p k.\"\"1\""));
    // Clustered on, the replica identity, an exclusion constraint: their entries add them whole.
    assertThat(constraints)
        .containsEntry("big_pkey", null)
        .containsEntry("ident_pkey", null)
        .containsEntry("booking_no_overlap", null);
  }

  @Test
  void leavesTheIndexesOfTablesBelowTheSizeToTheFinalPass() throws Exception {
    TableLoader.Result result = transfer(new TestCancellation(), Long.MAX_VALUE, () -> {});

    assertThat(result.indexes()).isZero();
    assertThat(rows(target, STAGING, INDEXES)).isEqualTo(rows(source, DATABASE, INDEXES));
    assertThat(rows(target, STAGING, CONSTRAINTS)).isEqualTo(rows(source, DATABASE, CONSTRAINTS));
  }

  @Test
  void aFailedBuildFailsTheRestoreNamingTheIndexAndItsTable() throws Exception {
    // The staging database already holds a relation with the name of one of big's indexes.
    target.execute(STAGING, "CREATE TABLE public.big_payload_idx (x int)");

    assertThatThrownBy(() -> transfer(new TestCancellation()))
        .isInstanceOf(StepException.class)
        .hasMessageContaining("building index \"big_payload_idx\" of \"public\".\"big\"")
        .hasMessageContaining("already exists");
    assertThat(
            target.queryValue(
                STAGING,
                "SELECT count(*) FROM pg_constraint WHERE conname LIKE" + " 'ref_big_id_fkey'"))
        .isEqualTo("0");
  }

  @Test
  void aCancelStopsTheIndexWorkersAndTheirTools() throws Exception {
    TestCancellation cancellation = new TestCancellation();

    // Cancelled as the first table is loaded: its index builds are queued or running.
    assertThatThrownBy(() -> transfer(cancellation, cancellation::cancel))
        .isInstanceOf(StepException.class)
        .hasMessageContaining("cancelled");
    assertThat(
            ProcessHandle.current()
                .descendants()
                .filter(ProcessHandle::isAlive)
                .map(process -> process.info().commandLine().orElse(""))
                .filter(command -> command.contains("pg_restore")))
        .isEmpty();
  }

  private TableLoader.Result transfer(TestCancellation cancellation) throws Exception {
    return transfer(cancellation, () -> {});
  }

  /** Every table's indexes built as it is loaded, however small. */
  private TableLoader.Result transfer(TestCancellation cancellation, Runnable tableLoaded)
      throws Exception {
    return transfer(cancellation, 0, tableLoaded);
  }

  private TableLoader.Result transfer(
      TestCancellation cancellation, long earlyIndexMinPages, Runnable tableLoaded)
      throws Exception {
    PgEndpoint targetEndpoint = BackgroundDump.target(target);
    TableHandoff handoff = new TableHandoff();
    CompletableFuture<Manifest> dumping =
        BackgroundDump.start(
            connector,
            tools,
            new TableDumper.Request(
                PgEndpoint.source(source.url(), null),
                1,
                DATABASE,
                work.resolve("dump/1"),
                2,
                16,
                TableDumper.MAX_TABLES,
                handoff,
                file -> {}),
            cancellation);
    try {
      return new TableLoader(connector, tools)
          .load(
              new TableLoader.Request(
                  targetEndpoint, 1, STAGING, 2, earlyIndexMinPages, handoff, n -> {}, tableLoaded),
              cancellation);
    } finally {
      // A failed dump fails the load through the handoff, which is the failure to see.
      dumping.exceptionally(failure -> null).get(5, TimeUnit.MINUTES);
    }
  }

  private static Set<List<String>> rows(PostgresCluster cluster, String database, String sql) {
    return new HashSet<>(cluster.query(database, sql));
  }
}
