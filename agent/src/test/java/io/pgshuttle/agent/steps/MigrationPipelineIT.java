package io.pgshuttle.agent.steps;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgshuttle.agent.AgentConfig;
import io.pgshuttle.agent.pipeline.AttemptJournalStore;
import io.pgshuttle.agent.pipeline.AttemptResult;
import io.pgshuttle.agent.pipeline.AttemptStatus;
import io.pgshuttle.agent.pipeline.TestCancellation;
import io.pgshuttle.iaas.DiskTags;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.MigrationOptions;
import io.pgshuttle.messages.MigrationSucceeded;
import io.pgshuttle.messages.StartMigration;
import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.StepProgress;
import io.pgshuttle.messages.StepStarted;
import io.pgshuttle.messages.StepSucceeded;
import io.pgshuttle.testkit.PostgresCluster;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The whole pipeline through the AttemptRunner, on real clusters and the local disk provider. */
class MigrationPipelineIT {
  private Migrations migrations;

  @BeforeEach
  void start() {
    migrations = new Migrations();
    SourceFixture.create(migrations.source);
  }

  @AfterEach
  void stop() {
    migrations.close();
  }

  @Test
  void migratesEveryDatabaseWithRolesSettingsAndPrivilegesAndLeavesNothingBehind()
      throws Exception {
    PostgresCluster source = migrations.source;
    PostgresCluster target = migrations.target;
    List<List<String>> sourceAclBefore = databaseAcl(source, SourceFixture.SHOP);
    AgentConfig config = migrations.config();
    MigrationId migrationId = Migrations.newMigrationId();
    Envelope<StartMigration> command = Migrations.command(migrationId, 1, target, List.of());
    RecordingEventSink events = new RecordingEventSink();

    AttemptResult result = migrations.runner(config).run(command, events, new TestCancellation());

    assertThat(result.succeeded()).as(result.error()).isTrue();
    assertThat(target.userDatabases()).containsExactlyInAnyOrderElementsOf(SourceFixture.DATABASES);
    assertSameData(source, target);
    assertSameDatabaseLevel(source, target, SourceFixture.SHOP);
    assertSameDatabaseLevel(source, target, SourceFixture.UNICODE_DB);
    assertThat(
            target.query(
                "postgres",
                "SELECT r.rolname, m.rolname FROM pg_auth_members a"
                    + " JOIN pg_roles r ON r.oid = a.roleid JOIN pg_roles m ON m.oid = a.member"
                    + " WHERE r.rolname = 'Mixed Role'"))
        .containsExactly(List.of("Mixed Role", "app_reader"));
    assertThat(
            target.queryValue(
                "postgres",
                "SELECT s.setconfig::text FROM pg_db_role_setting s JOIN pg_roles r"
                    + " ON r.oid = s.setrole WHERE r.rolname = 'app_reader' AND s.setdatabase = 0"))
        .isEqualTo("{work_mem=8MB}");
    try (Connection reader = connectAs(target, SourceFixture.SHOP, "app_reader")) {
      assertThat(count(reader, "SELECT count(*) FROM sales.customers")).isEqualTo(2000);
    }

    assertThat(databaseAcl(source, SourceFixture.SHOP)).isEqualTo(sourceAclBefore);
    assertThat(
            source.queryValue(
                "postgres", "SELECT datconnlimit FROM pg_database WHERE datname = 'shop'"))
        .isEqualTo(Integer.toString(SourceFixture.SHOP_CONNECTION_LIMIT));
    try (Connection reader = connectAs(source, SourceFixture.SHOP, "app_reader")) {
      assertThat(count(reader, "SELECT count(*) FROM sales.customers")).isEqualTo(2000);
    }
    assertThat(migrations.disks().listByTags(Map.of(DiskTags.MIGRATION_ID, migrationId.toString())))
        .isEmpty();
    try (var left = Files.list(migrations.diskRoot)) {
      assertThat(left).isEmpty();
    }
    assertThat(
            target.query(
                "postgres",
                "SELECT datname FROM pg_database WHERE datname LIKE 'pgshuttle_stage%'"))
        .isEmpty();

    List<Event> expected = new ArrayList<>();
    for (Step step : Step.values()) {
      expected.add(new StepStarted(step));
    }
    assertThat(events.of(StepStarted.class)).isEqualTo(expected);
    assertThat(events.of(StepSucceeded.class).stream().map(StepSucceeded::step).toList())
        .containsExactly(Step.values());
    assertThat(events.of(StepSucceeded.class))
        .allSatisfy(succeeded -> assertThat(succeeded.summary()).isNotBlank());
    assertThat(events.of(StepProgress.class)).isNotEmpty();
    MigrationSucceeded succeeded = events.migrationSucceeded();
    assertThat(succeeded.databases()).containsExactlyElementsOf(SourceFixture.DATABASES);
    assertThat(succeeded.verification())
        .startsWith("2 databases, 4 tables, 7,350 rows, 5 sequences, 5 large objects equal");
    assertThat(
            new AttemptJournalStore(config.stateDir()).find(migrationId, 1).orElseThrow().status())
        .isEqualTo(AttemptStatus.SUCCEEDED);
  }

  @Test
  void keepsTheSourceClosedWhenAsked() {
    AgentConfig config = migrations.config();
    Envelope<StartMigration> open =
        Migrations.command(
            Migrations.newMigrationId(), 1, migrations.target, List.of(SourceFixture.UNICODE_DB));
    StartMigration payload = open.payload();
    Envelope<StartMigration> keepLocked =
        Envelope.of(
            open.instanceId(),
            open.migrationId(),
            1,
            0,
            new StartMigration(
                payload.instanceId(),
                payload.databases(),
                payload.target(),
                new MigrationOptions(1, 3, true, null),
                payload.fencingToken()));

    AttemptResult result =
        migrations.runner(config).run(keepLocked, new RecordingEventSink(), new TestCancellation());

    assertThat(result.succeeded()).as(result.error()).isTrue();
    assertThat(
            migrations.source.queryValue(
                "postgres",
                "SELECT datconnlimit FROM pg_database WHERE datname = '"
                    + SourceFixture.UNICODE_DB
                    + "'"))
        .isEqualTo("0");
    assertThat(
            migrations.source.queryValue(
                "postgres",
                "SELECT has_database_privilege('app_reader', '"
                    + SourceFixture.UNICODE_DB
                    + "', 'CONNECT')"))
        .isEqualTo("f");
  }

  /** Every table, sequence and large object, read by the test itself on both sides. */
  static void assertSameData(PostgresCluster source, PostgresCluster target) {
    for (String database : SourceFixture.DATABASES) {
      assertSameData(source, database, target, database);
    }
  }

  /** Every table, sequence and large object of one database, read on both sides. */
  static void assertSameData(
      PostgresCluster source,
      String sourceDatabase,
      PostgresCluster target,
      String targetDatabase) {
    List<List<String>> tables =
        source.query(
            sourceDatabase,
            "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), c.relkind"
                + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE c.relkind IN ('r', 'S', 'm', 'v')"
                + " AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
                + " ORDER BY 1");
    assertThat(tables).isNotEmpty();
    for (List<String> table : tables) {
      String sql =
          table.get(1).equals("S")
              ? "SELECT last_value, is_called FROM " + table.get(0)
              : "SELECT * FROM "
                  + (table.get(1).equals("r") ? "ONLY " : "")
                  + table.get(0)
                  + " t ORDER BY t::text";
      assertThat(target.query(targetDatabase, sql))
          .as("%s in %s", table.get(0), targetDatabase)
          .isEqualTo(source.query(sourceDatabase, sql));
    }
    String largeObjects =
        "SELECT oid, encode(lo_get(oid), 'escape') FROM pg_largeobject_metadata ORDER BY 1";
    assertThat(target.query(targetDatabase, largeObjects))
        .isEqualTo(source.query(sourceDatabase, largeObjects));
    String inventory =
        "SELECT n.nspname, c.relname, c.relkind, pg_get_userbyid(c.relowner), c.relacl::text"
            + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')"
            + " UNION ALL SELECT n.nspname, p.proname, 'f', pg_get_userbyid(p.proowner), NULL"
            + " FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
            + " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')"
            + " UNION ALL SELECT c.relname, t.tgname, 't', NULL, NULL FROM pg_trigger t"
            + " JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal"
            + " UNION ALL SELECT extname, extversion, 'e', NULL, NULL FROM pg_extension"
            + " ORDER BY 1, 2, 3";
    assertThat(target.query(targetDatabase, inventory))
        .isEqualTo(source.query(sourceDatabase, inventory));
  }

  /** Owner, encoding, locale, settings, privileges and connection limit of a database. */
  static void assertSameDatabaseLevel(
      PostgresCluster source, PostgresCluster target, String database) {
    String definition =
        "SELECT pg_get_userbyid(datdba), pg_encoding_to_char(encoding), datcollate, datctype,"
            + " datconnlimit FROM pg_database WHERE datname = '"
            + database.replace("'", "''")
            + "'";
    assertThat(target.query("postgres", definition))
        .isEqualTo(source.query("postgres", definition));
    String settings =
        "SELECT coalesce(r.rolname, ''), s.setconfig::text FROM pg_db_role_setting s"
            + " JOIN pg_database d ON d.oid = s.setdatabase LEFT JOIN pg_roles r"
            + " ON r.oid = s.setrole WHERE d.datname = '"
            + database.replace("'", "''")
            + "' ORDER BY 1";
    assertThat(target.query("postgres", settings)).isEqualTo(source.query("postgres", settings));
    assertThat(databaseAcl(target, database)).isEqualTo(databaseAcl(source, database));
  }

  /** The privileges on a database as (grantee, privilege, grantable), defaults spelled out. */
  static List<List<String>> databaseAcl(PostgresCluster cluster, String database) {
    return cluster.query(
        "postgres",
        "SELECT coalesce(r.rolname, 'PUBLIC'), a.privilege_type, a.is_grantable::text"
            + " FROM pg_database d"
            + " CROSS JOIN LATERAL aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a"
            + " LEFT JOIN pg_roles r ON r.oid = a.grantee WHERE d.datname = '"
            + database.replace("'", "''")
            + "' ORDER BY 1, 2");
  }

  static Connection connectAs(PostgresCluster cluster, String database, String role)
      throws Exception {
    Properties properties = new Properties();
    properties.setProperty("user", role);
    properties.setProperty("password", SourceFixture.READER_PASSWORD);
    return DriverManager.getConnection(cluster.jdbcUrl(database), properties);
  }

  static long count(Connection connection, String sql) throws Exception {
    try (var statement = connection.createStatement();
        var rows = statement.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }
}
