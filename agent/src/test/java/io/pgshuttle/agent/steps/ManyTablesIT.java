package io.pgshuttle.agent.steps;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgshuttle.agent.pipeline.AttemptResult;
import io.pgshuttle.agent.pipeline.TestCancellation;
import io.pgshuttle.agent.transfer.TableDumper;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.StepSucceeded;
import java.util.List;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A database with more tables than DUMP copies into files ({@link TableDumper#MAX_TABLES}): the
 * smallest keep their rows in the schema dump, RESTORE's final pass restores them, and VERIFY reads
 * them on both servers.
 */
class ManyTablesIT {
  /**
   * Empty tables beyond the limit, t0001 to t1050 in a schema whose name sorts after every ASCII
   * one: the last of them by name is among the smallest tables, which stay in the schema dump,
   * whatever else the shop has.
   */
  private static final int EXTRA_TABLES = 50;

  private static final int TABLES = TableDumper.MAX_TABLES + EXTRA_TABLES;

  private static final String LAST_TABLE = "\"~many\".t" + TABLES;

  private Migrations migrations;

  @BeforeEach
  void start() {
    migrations = new Migrations();
    SourceFixture.create(migrations.source);
    migrations.source.execute(
        SourceFixture.SHOP,
        "CREATE SCHEMA \"~many\"",
        "DO $$ BEGIN FOR i IN 1.."
            + TABLES
            + " LOOP EXECUTE format('CREATE TABLE \"~many\".%I (id int PRIMARY KEY, note text)',"
            + " 't' || lpad(i::text, 4, '0')); END LOOP; END $$");
  }

  @AfterEach
  void stop() {
    migrations.close();
  }

  @Test
  void migratesAndVerifiesEveryTableThoughOnlyTheLargestAreCopiedIntoFiles() {
    RecordingEventSink events = new RecordingEventSink();

    AttemptResult result = run(Migrations.newMigrationId(), () -> {}, events);

    assertThat(result.succeeded()).as(result.error()).isTrue();
    String leftInSchemaDump =
        migrations.source.queryValue(
            SourceFixture.SHOP,
            "SELECT count(*) - "
                + TableDumper.MAX_TABLES
                + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')");
    assertThat(
            events.of(StepSucceeded.class).stream()
                .filter(succeeded -> succeeded.step() == Step.DUMP)
                .map(StepSucceeded::summary))
        .singleElement(InstanceOfAssertFactories.STRING)
        .contains(
            "(1,000 tables in ",
            ", and " + leftInSchemaDump + " smaller tables with their rows in schema.dump)");
    assertThat(
            migrations.target.queryValue(
                SourceFixture.SHOP, "SELECT count(*) FROM pg_tables WHERE schemaname = '~many'"))
        .isEqualTo(String.valueOf(TABLES));
    MigrationPipelineIT.assertSameData(
        migrations.source, SourceFixture.SHOP, migrations.target, SourceFixture.SHOP);
  }

  @Test
  void aRowWrittenIntoATableLeftInTheSchemaDumpFailsVerify() {
    RecordingEventSink events = new RecordingEventSink();

    AttemptResult result =
        run(
            Migrations.newMigrationId(),
            () ->
                migrations.target.execute(
                    stagingDatabase(), "INSERT INTO " + LAST_TABLE + " VALUES (1, 'not copied')"),
            events);

    Migrations.assertMismatchAtVerify(
        result,
        events,
        "the target differs from the source: \"shop\": table \"~many\".\"t"
            + TABLES
            + "\": 0 rows on the source, 1 on the target");
  }

  private AttemptResult run(MigrationId id, Migrations.StepAction afterRestore) {
    return run(id, afterRestore, new RecordingEventSink());
  }

  /** Migrates the shop, doing {@code afterRestore} once RESTORE is done. */
  private AttemptResult run(
      MigrationId id, Migrations.StepAction afterRestore, RecordingEventSink events) {
    return migrations
        .runner(
            migrations.config(),
            step -> step.name() == Step.RESTORE ? Migrations.after(step, afterRestore) : step)
        .run(
            Migrations.command(id, 1, migrations.target, List.of(SourceFixture.SHOP)),
            events,
            new TestCancellation());
  }

  /** The one staging database on the target: the shop's copy. */
  private String stagingDatabase() {
    return migrations.target.queryValue(
        "postgres", "SELECT datname FROM pg_database WHERE datname LIKE 'pgshuttle_stage_%'");
  }
}
