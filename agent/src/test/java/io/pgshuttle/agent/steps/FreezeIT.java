package io.pgshuttle.agent.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgshuttle.agent.pipeline.AttemptContext;
import io.pgshuttle.agent.pipeline.AttemptResult;
import io.pgshuttle.agent.pipeline.PipelineStep;
import io.pgshuttle.agent.pipeline.StepException;
import io.pgshuttle.agent.pipeline.TestCancellation;
import io.pgshuttle.messages.AttemptFailed;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.Step;
import io.pgshuttle.testkit.PostgresCluster;
import java.nio.file.Files;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 3, point 10: while the source is quiesced an application role cannot connect, and a write
 * that happens anyway (a superuser's) fails the attempt at VERIFY, retryably; the next attempt,
 * with the source quiet, succeeds. QUIESCE_SOURCE analyzes only the tables written since their last
 * analysis.
 */
class FreezeIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

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
  void applicationIsShutOutAndAWriteDuringTheFreezeFailsVerify() throws Exception {
    List<String> refusals = new ArrayList<>();
    MigrationId id = Migrations.newMigrationId();
    RecordingEventSink events = new RecordingEventSink();

    AttemptResult first =
        migrations
            .runner(
                migrations.config(),
                step -> step.name() == Step.DUMP ? writingDuringTheFreeze(step, refusals) : step)
            .run(
                Migrations.command(id, 1, migrations.target, List.of()),
                events,
                new TestCancellation());

    assertThat(refusals)
        .singleElement()
        .asString()
        .containsAnyOf("permission denied for database", "too many connections");
    assertThat(first.succeeded()).isFalse();
    AttemptFailed failed = events.attemptFailed();
    assertThat(failed.step()).isEqualTo(Step.VERIFY);
    assertThat(failed.retryable()).isTrue();
    assertThat(failed.error())
        .startsWith("a transaction wrote to \"shop\" on the source during the freeze");
    assertThat(canConnectAsApplication()).as("the source is open again").isNull();
    assertThat(migrations.target.userDatabases()).isEmpty();
    try (var disks = Files.list(migrations.diskRoot)) {
      assertThat(disks).isEmpty();
    }

    AttemptResult second =
        migrations
            .runner(migrations.config())
            .run(
                Migrations.command(id, 2, migrations.target, List.of()),
                new RecordingEventSink(),
                new TestCancellation());

    assertThat(second.succeeded()).isTrue();
    assertThat(
            migrations.target.queryValue(
                SourceFixture.SHOP,
                "SELECT count(*) FROM sales.customers WHERE name = 'written in the freeze'"))
        .isEqualTo("1");
  }

  @Test
  void aDifferenceWhileTheSourceIsQuietIsAMismatchThatIsNeverRetried() {
    MigrationId id = Migrations.newMigrationId();
    RecordingEventSink events = new RecordingEventSink();

    AttemptResult result = runAfter(Step.RESTORE, this::changeACustomerOnTheTarget, id, events);

    Migrations.assertMismatchAtVerify(
        result,
        events,
        "the target differs from the source: \"shop\": table \"sales\".\"customers\":"
            + " same row count, different row contents");
    assertThat(canConnectAsApplication()).as("the source is open again").isNull();
    assertThat(migrations.target.userDatabases()).isEmpty();
  }

  @Test
  void noSessionButASuperusersReachesAStagingDatabaseUntilCutoverOpensIt() {
    MigrationId id = Migrations.newMigrationId();
    List<String> refusals = new ArrayList<>();

    AttemptResult result =
        runAfter(
            Step.VERIFY,
            () -> refusals.add(refusalAsApplication(migrations.target, stagingCopyOfShop())),
            id,
            new RecordingEventSink());

    assertThat(result.succeeded()).as(result.error()).isTrue();
    // app_reader has CONNECT on the shop database, as on the source, but not before CUTOVER.
    assertThat(refusals).singleElement().asString().contains("too many connections");
    assertThat(refusalAsApplication(migrations.target, SourceFixture.SHOP))
        .as("the migrated database takes app_reader's sessions")
        .isNull();
  }

  @Test
  void quiesceAnalyzesOnlyTheTablesWrittenSinceTheirLastAnalysis() {
    String written = "\"Ärger\".\"Ünïcödé Täble\"";
    migrations.source.execute(SourceFixture.SHOP, "ANALYZE sales.customers", "ANALYZE " + written);
    migrations.source.execute(
        SourceFixture.SHOP, "INSERT INTO " + written + " VALUES ('after its analysis', '{}')");
    // Statistics reach the shared counters once the writing session has gone.
    await().atMost(WAIT).until(() -> modifiedSinceAnalysis(written) == 1);
    long customersBefore = analyses("sales.customers");
    long writtenBefore = analyses(written);
    List<Long> duringTheAttempt = new ArrayList<>();

    AttemptResult result =
        runAfter(
            Step.QUIESCE_SOURCE,
            () -> {
              await().atMost(WAIT).until(() -> analyses(written) == writtenBefore + 1);
              duringTheAttempt.add(analyses("sales.customers"));
            },
            Migrations.newMigrationId(),
            new RecordingEventSink());

    assertThat(result.succeeded()).as(result.error()).isTrue();
    assertThat(duringTheAttempt)
        .as("sales.customers was analyzed after its last write: not sampled again")
        .containsExactly(customersBefore);
  }

  /** How many times {@code table} of the shop was ANALYZEd by hand (not by autovacuum). */
  private long analyses(String table) {
    return tableStatistic("analyze_count", table);
  }

  private long modifiedSinceAnalysis(String table) {
    return tableStatistic("n_mod_since_analyze", table);
  }

  private long tableStatistic(String column, String table) {
    return Long.parseLong(
        migrations.source.queryValue(
            SourceFixture.SHOP,
            "SELECT "
                + column
                + " FROM pg_stat_user_tables WHERE relid = '"
                + table.replace("'", "''")
                + "'::regclass"));
  }

  /** Runs attempt 1 of migration {@code id} with {@code action} right after step {@code after}. */
  private AttemptResult runAfter(
      Step after, Migrations.StepAction action, MigrationId id, RecordingEventSink events) {
    return migrations
        .runner(
            migrations.config(),
            step -> step.name() == after ? Migrations.after(step, action) : step)
        .run(
            Migrations.command(id, 1, migrations.target, List.of()),
            events,
            new TestCancellation());
  }

  /** Changes a row of the staging copy of the shop's customers, as a faulty restore might. */
  private void changeACustomerOnTheTarget() {
    migrations.target.execute(
        stagingCopyOfShop(),
        "UPDATE sales.customers SET name = name || ' (changed)'"
            + " WHERE ctid = (SELECT min(ctid) FROM sales.customers)");
  }

  /** The name of the staging database that holds the shop's copy. */
  private String stagingCopyOfShop() {
    for (List<String> row :
        migrations.target.query(
            "postgres", "SELECT datname FROM pg_database WHERE datname LIKE 'pgshuttle_stage_%'")) {
      String staging = row.get(0);
      if ("1"
          .equals(
              migrations.target.queryValue(
                  staging,
                  "SELECT count(*) FROM pg_tables WHERE schemaname = 'sales'"
                      + " AND tablename = 'customers'"))) {
        return staging;
      }
    }
    throw new AssertionError("no staging copy of sales.customers on the target");
  }

  /** DUMP, after an application tries to connect and a superuser writes to the source. */
  private PipelineStep writingDuringTheFreeze(PipelineStep dump, List<String> refusals) {
    return new PipelineStep() {
      @Override
      public Step name() {
        return dump.name();
      }

      @Override
      public void execute(AttemptContext context) throws StepException {
        String refused = canConnectAsApplication();
        if (refused != null) {
          refusals.add(refused);
        }
        migrations.source.execute(
            SourceFixture.SHOP,
            "INSERT INTO sales.customers (name) VALUES ('written in the freeze')");
        dump.execute(context);
      }

      @Override
      public void compensate(AttemptContext context) throws StepException {
        dump.compensate(context);
      }
    };
  }

  /** Null if app_reader can connect to the shop database, else the server's refusal. */
  private String canConnectAsApplication() {
    return refusalAsApplication(migrations.source, SourceFixture.SHOP);
  }

  /** Null if app_reader can connect to {@code database} of {@code cluster}, else the refusal. */
  private static String refusalAsApplication(PostgresCluster cluster, String database) {
    Properties properties = new Properties();
    properties.setProperty("user", "app_reader");
    properties.setProperty("password", SourceFixture.READER_PASSWORD);
    try (var connection = DriverManager.getConnection(cluster.jdbcUrl(database), properties)) {
      return null;
    } catch (SQLException e) {
      return e.getMessage();
    }
  }
}
