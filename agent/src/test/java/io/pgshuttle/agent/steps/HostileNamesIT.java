package io.pgshuttle.agent.steps;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgshuttle.agent.pipeline.AttemptResult;
import io.pgshuttle.agent.pipeline.TestCancellation;
import io.pgshuttle.agent.postgres.Sql;
import io.pgshuttle.messages.Names;
import io.pgshuttle.testkit.PostgresCluster;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Databases and roles whose names are SQL, shell or conninfo syntax migrate as names: every
 * statement, tool argument and connection string the agent builds quotes them, so nothing in a name
 * is ever executed. Each hostile database holds a table owned by a hostile role; the bystanders
 * {@code y} (a database) and {@code victim} (a role), which the names try to drop, survive on both
 * clusters.
 */
class HostileNamesIT {
  private static final List<String> HOSTILE_DATABASES =
      List.of(
          "x\"; DROP DATABASE y; --",
          "it's'; DROP DATABASE y; --",
          "back\\slash\\' dbname=postgres",
          "new\nline",
          "host=evil dbname=y",
          "Ünïcødé 数据 $$ ` $(touch pwned) ;");
  private static final String HOSTILE_ROLE = "r\"; DROP ROLE victim; --";
  private static final String MULTILINE_ROLE = "m\n'; DROP DATABASE y; --\n\\";

  private Migrations migrations;

  @BeforeEach
  void start() {
    migrations = new Migrations();
    for (PostgresCluster cluster : List.of(migrations.source, migrations.target)) {
      cluster.execute("postgres", "CREATE DATABASE y", "CREATE ROLE victim NOLOGIN");
      cluster.execute("y", "CREATE TABLE kept AS SELECT 42 AS answer");
    }
    migrations.source.execute(
        "postgres",
        "CREATE ROLE " + Sql.identifier(HOSTILE_ROLE) + " LOGIN PASSWORD 'pw'",
        "CREATE ROLE " + Sql.identifier(MULTILINE_ROLE) + " NOLOGIN",
        "GRANT " + Sql.identifier(MULTILINE_ROLE) + " TO " + Sql.identifier(HOSTILE_ROLE));
    for (int i = 0; i < HOSTILE_DATABASES.size(); i++) {
      String database = HOSTILE_DATABASES.get(i);
      migrations.source.execute(
          "postgres",
          "CREATE DATABASE " + Sql.identifier(database) + " OWNER " + Sql.identifier(HOSTILE_ROLE));
      migrations.source.execute(
          database,
          "CREATE TABLE " + Sql.identifier(database) + " (id int PRIMARY KEY, name text)",
          "ALTER TABLE " + Sql.identifier(database) + " OWNER TO " + Sql.identifier(HOSTILE_ROLE),
          "INSERT INTO "
              + Sql.identifier(database)
              + " SELECT g, "
              + Sql.literal(database)
              + " || g FROM generate_series(1, "
              + (100 + i)
              + ") g");
    }
  }

  @AfterEach
  void stop() {
    migrations.close();
  }

  @Test
  void namesThatAreSqlMigrateAsNamesAndExecuteNothing() {
    assertThat(HOSTILE_DATABASES).allMatch(Names::isValidDatabaseName);

    AttemptResult result =
        migrations
            .runner(migrations.config())
            .run(
                Migrations.command(
                    Migrations.newMigrationId(), 1, migrations.target, HOSTILE_DATABASES),
                new RecordingEventSink(),
                new TestCancellation());

    assertThat(result.succeeded()).as(result.error()).isTrue();
    PostgresCluster target = migrations.target;
    assertThat(target.userDatabases()).containsExactlyInAnyOrderElementsOf(withY());
    for (int i = 0; i < HOSTILE_DATABASES.size(); i++) {
      String database = HOSTILE_DATABASES.get(i);
      String table = Sql.identifier(database);
      assertThat(
              target.query(
                  database,
                  "SELECT count(*), min(name), pg_get_userbyid(c.relowner) FROM "
                      + table
                      + ", pg_class c WHERE c.oid = "
                      + Sql.literal(table)
                      + "::regclass GROUP BY c.relowner"))
          .as(database)
          .containsExactly(List.of(Integer.toString(100 + i), database + "1", HOSTILE_ROLE));
      assertThat(
              target.queryValue(
                  "postgres",
                  "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = "
                      + Sql.literal(database)))
          .isEqualTo(HOSTILE_ROLE);
    }
    assertThat(
            target.queryValue(
                "postgres",
                "SELECT pg_has_role("
                    + Sql.literal(HOSTILE_ROLE)
                    + ", "
                    + Sql.literal(MULTILINE_ROLE)
                    + ", 'MEMBER')"))
        .isEqualTo("t");
    for (PostgresCluster cluster : List.of(migrations.source, target)) {
      assertThat(cluster.queryValue("y", "SELECT answer FROM kept")).isEqualTo("42");
      assertThat(
              cluster.queryValue(
                  "postgres", "SELECT count(*) FROM pg_roles WHERE rolname = 'victim'"))
          .isEqualTo("1");
    }
    assertThat(migrations.source.userDatabases()).containsExactlyInAnyOrderElementsOf(withY());
  }

  private static List<String> withY() {
    return Stream.concat(HOSTILE_DATABASES.stream(), Stream.of("y")).toList();
  }
}
