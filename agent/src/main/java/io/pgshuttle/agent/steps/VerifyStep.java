package io.pgshuttle.agent.steps;

import io.pgshuttle.agent.AgentConfig;
import io.pgshuttle.agent.pipeline.AttemptContext;
import io.pgshuttle.agent.pipeline.AttemptRecords;
import io.pgshuttle.agent.pipeline.Cancellation;
import io.pgshuttle.agent.pipeline.NonRetryableStepException;
import io.pgshuttle.agent.pipeline.PipelineStep;
import io.pgshuttle.agent.pipeline.RetryableStepException;
import io.pgshuttle.agent.pipeline.StepException;
import io.pgshuttle.agent.postgres.DatabaseFingerprint;
import io.pgshuttle.agent.postgres.DatabaseFingerprint.TableData;
import io.pgshuttle.agent.postgres.Databases;
import io.pgshuttle.agent.postgres.Fingerprinter;
import io.pgshuttle.agent.postgres.PgConnector;
import io.pgshuttle.agent.postgres.PgEndpoint;
import io.pgshuttle.agent.postgres.PgErrors;
import io.pgshuttle.agent.postgres.PgVersion;
import io.pgshuttle.agent.postgres.RowHash;
import io.pgshuttle.agent.postgres.Sql;
import io.pgshuttle.agent.transfer.Checksum;
import io.pgshuttle.agent.transfer.DumpLayout;
import io.pgshuttle.agent.transfer.Manifest;
import io.pgshuttle.agent.transfer.TableReadBack;
import io.pgshuttle.faults.Breakpoints;
import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.StepProgress;
import io.pgshuttle.messages.VerifyLevel;
import jakarta.inject.Inject;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.postgresql.PGConnection;

/**
 * VERIFY: compares each source database with its staging database, reading both sides at once: per
 * table row count and (at level {@code full}) an order-independent checksum, sequences, large
 * objects, per schema object counts, extensions; and that every source role exists on the target.
 * The counts and checksums of the tables DUMP copied into files are those it journaled as their
 * rows streamed, against the staging tables read back here through the same COPY text, where both
 * servers run the same major version; both servers compute the other tables' here (those whose rows
 * stayed in the schema dump, and every table across major versions). Then the freeze check: a
 * transaction id handed out on the source since QUIESCE_SOURCE means a write slipped through, which
 * another attempt may avoid (retryable); any difference otherwise is not retryable, and the message
 * names the first ones.
 */
public final class VerifyStep implements PipelineStep {
  /** Breakpoint as VERIFY begins, the target restored: a test kills the agent there. */
  public static final String BREAKPOINT_STARTED = "verify-started";

  private static final int DIFFERENCES_IN_MESSAGE = 5;

  private final AgentConfig config;
  private final PgConnector connector;
  private final Breakpoints breakpoints;
  private final TableReadBack readBack;

  @Inject
  public VerifyStep(
      AgentConfig config, PgConnector connector, Breakpoints breakpoints, TableReadBack readBack) {
    this.config = config;
    this.connector = connector;
    this.breakpoints = breakpoints;
    this.readBack = readBack;
  }

  @Override
  public Step name() {
    return Step.VERIFY;
  }

  @Override
  public void execute(AttemptContext context) throws StepException {
    breakpoints.reach(BREAKPOINT_STARTED);
    PgEndpoint source = Endpoints.source(config);
    PgEndpoint target = Endpoints.target(context);
    MigrationPlan plan = JournalEntries.plan(context.journal());
    FreezeMarker frozen =
        context
            .journal()
            .get(JournalEntries.FREEZE, FreezeMarker.class)
            .orElseThrow(() -> new IllegalStateException("QUIESCE_SOURCE recorded no freeze"));
    boolean checksums = context.command().options().verify() == VerifyLevel.FULL;
    List<String> differences = new ArrayList<>();
    int tables = 0;
    long rows = 0;
    int sequences = 0;
    long largeObjects = 0;
    Map<String, DatabaseChecksums> dumped =
        JournalEntries.checksums(context.journal(), JournalEntries.DUMP_CHECKSUMS);
    // Across major versions the text of a value may differ: then both sides are read here.
    boolean sameVersion = sameServerVersion(source, target);
    Path dump = JournalEntries.dumpDirectory(context.journal());
    ExecutorService sides = Executors.newFixedThreadPool(2);
    try {
      for (PlannedDatabase database : plan.databases()) {
        DatabaseChecksums expected = dumped.get(database.name());
        boolean streamed = expected != null && sameVersion;
        // The tables DUMP copied into files, whose checksums streamed; both servers read the rest.
        Set<String> copied = streamed ? expected.tables().keySet() : Set.of();
        context
            .progress()
            .report(
                new StepProgress(
                    Step.VERIFY,
                    100.0 * (database.index() - 1) / plan.databases().size(),
                    null,
                    null,
                    null,
                    null,
                    "comparing " + Sql.identifier(database.name())));
        Comparison comparison =
            compare(
                context,
                sides,
                source,
                database.name(),
                target,
                database.stagingName(),
                checksums,
                copied);
        if (streamed) {
          SortedMap<String, Checksum> found =
              readBack.checksums(
                  target,
                  database.stagingName(),
                  manifest(dump, database),
                  context.command().options().jobs(),
                  context.cancellation());
          comparison =
              new Comparison(
                  comparison.source().plusTables(tableData(expected.tables(), checksums)),
                  comparison.target().plusTables(tableData(found, checksums)));
        }
        for (String difference : comparison.source().differencesFrom(comparison.target())) {
          differences.add(Sql.identifier(database.name()) + ": " + difference);
        }
        tables += comparison.source().tables().size();
        rows += comparison.source().totalRows();
        sequences += comparison.source().sequences().size();
        largeObjects += comparison.source().largeObjects().count();
      }
    } finally {
      sides.shutdownNow();
    }
    differences.addAll(missingRoles(source, target));
    FreezeMarker now = currentMarker(source, plan);
    List<String> written = frozen.databasesWrittenBefore(now);
    if (!written.isEmpty()) {
      throw new RetryableStepException(
          "a transaction wrote to "
              + String.join(", ", written.stream().map(Sql::identifier).toList())
              + " on the source during the freeze (its tables' insert/update/delete counters"
              + " moved since QUIESCE_SOURCE): a superuser session, or a role that still had"
              + " CONNECT");
    }
    if (!differences.isEmpty()) {
      String listed =
          String.join(
                  "; ",
                  differences.subList(0, Math.min(DIFFERENCES_IN_MESSAGE, differences.size())))
              + (differences.size() > DIFFERENCES_IN_MESSAGE
                  ? " (and " + (differences.size() - DIFFERENCES_IN_MESSAGE) + " more)"
                  : "");
      if (now.nextTransactionId() != frozen.nextTransactionId()) {
        // Statistics reach shared memory up to seconds late: a write that has not shown in the
        // counters yet explains a difference as well as a faulty restore does.
        throw new RetryableStepException(
            "the target differs from the source, and transactions ran on the source during the"
                + " freeze: "
                + listed);
      }
      throw new NonRetryableStepException("the target differs from the source: " + listed);
    }
    String summary =
        new VerificationSummary(
                plan.databases().size(),
                tables,
                rows,
                sequences,
                largeObjects,
                checksums,
                now.nextTransactionId() - frozen.nextTransactionId(),
                frozen.walBytesUntil(now))
            .text();
    AttemptRecords.recordVerification(context.journal(), summary);
    AttemptRecords.recordSummary(context.journal(), Step.VERIFY, summary);
  }

  /** Whether source and target run the same major version. */
  private boolean sameServerVersion(PgEndpoint source, PgEndpoint target) throws StepException {
    return serverVersion(source).equals(serverVersion(target));
  }

  private PgVersion serverVersion(PgEndpoint server) throws StepException {
    try (Connection connection = connector.connectMaintenance(server)) {
      return PgErrors.on(
          server, "reading the server's version", () -> Databases.serverVersion(connection));
    } catch (SQLException e) {
      throw PgErrors.translate(server, "closing the connection", e);
    }
  }

  /** The manifest DUMP wrote for {@code database}: its tables and their columns. */
  private static Manifest manifest(Path dump, PlannedDatabase database) throws StepException {
    Path file = dump.resolve(database.dumpDirectoryName()).resolve(Manifest.FILE_NAME);
    try {
      return Manifest.read(file);
    } catch (IOException e) {
      throw DumpLayout.diskFailure(file, e);
    }
  }

  /** Streamed checksums as fingerprint tables; counts only unless {@code checksums}. */
  private static SortedMap<String, TableData> tableData(
      SortedMap<String, Checksum> streamed, boolean checksums) {
    SortedMap<String, TableData> tables = new TreeMap<>();
    streamed.forEach(
        (table, checksum) ->
            tables.put(
                table,
                new TableData(
                    checksum.rows(), checksums ? BigDecimal.valueOf(checksum.sum()) : null)));
    return tables;
  }

  /** A source database's fingerprint and its staging copy's. */
  private record Comparison(DatabaseFingerprint source, DatabaseFingerprint target) {}

  /** The fingerprints of a source database and its staging copy, read at the same time. */
  private Comparison compare(
      AttemptContext context,
      ExecutorService sides,
      PgEndpoint source,
      String sourceDatabase,
      PgEndpoint target,
      String targetDatabase,
      boolean checksums,
      Set<String> checkedElsewhere)
      throws StepException {
    Cancellation cancellation = context.cancellation();
    try (Connection sourceConnection = connector.connect(source, sourceDatabase);
        Connection targetConnection = connector.connect(target, targetDatabase);
        Cancellation.Registration ignored =
            cancellation.onCancel(
                () -> {
                  cancelQuery(sourceConnection);
                  cancelQuery(targetConnection);
                })) {
      RowHash rowHash =
          checksums
              ? PgErrors.on(
                  target,
                  "reading the servers' versions",
                  () ->
                      RowHash.forServers(
                          Databases.serverVersion(sourceConnection),
                          Databases.serverVersion(targetConnection)))
              : null;
      Future<DatabaseFingerprint> expected =
          sides.submit(
              () -> read(source, sourceConnection, rowHash, checkedElsewhere, cancellation));
      Future<DatabaseFingerprint> found =
          sides.submit(
              () -> read(target, targetConnection, rowHash, checkedElsewhere, cancellation));
      return new Comparison(await(expected), await(found));
    } catch (SQLException e) {
      throw PgErrors.translate(target, "closing the connections", e);
    }
  }

  private static DatabaseFingerprint read(
      PgEndpoint server,
      Connection connection,
      RowHash rowHash,
      Set<String> checkedElsewhere,
      Cancellation cancellation)
      throws StepException {
    return PgErrors.on(
        server,
        "reading the fingerprint",
        () -> Fingerprinter.collect(connection, rowHash, checkedElsewhere, cancellation));
  }

  private static DatabaseFingerprint await(Future<DatabaseFingerprint> side) throws StepException {
    try {
      return side.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StepException stepException) {
        throw stepException;
      }
      throw new IllegalStateException("reading a fingerprint failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RetryableStepException("interrupted while comparing the databases", e);
    }
  }

  private static void cancelQuery(Connection connection) {
    try {
      connection.unwrap(PGConnection.class).cancelQuery();
    } catch (SQLException e) {
      // The query ends on its own; the cancel only makes it sooner.
    }
  }

  private List<String> missingRoles(PgEndpoint source, PgEndpoint target) throws StepException {
    List<String> sourceRoles = roles(source);
    List<String> targetRoles = roles(target);
    return sourceRoles.stream()
        .filter(role -> !targetRoles.contains(role))
        .map(role -> "role " + Sql.identifier(role) + " is missing on the target")
        .toList();
  }

  private List<String> roles(PgEndpoint server) throws StepException {
    try (Connection connection = connector.connectMaintenance(server)) {
      return PgErrors.on(server, "listing the roles", () -> Fingerprinter.roles(connection));
    } catch (SQLException e) {
      throw PgErrors.translate(server, "closing the connection", e);
    }
  }

  private FreezeMarker currentMarker(PgEndpoint source, MigrationPlan plan) throws StepException {
    Map<String, String> writes = new TreeMap<>();
    try {
      for (PlannedDatabase database : plan.databases()) {
        try (Connection inDatabase = connector.connect(source, database.name())) {
          writes.put(
              database.name(),
              PgErrors.on(
                  source,
                  "reading the write counters of " + database.name(),
                  () -> FreezeMarker.userTableWrites(inDatabase)));
        }
      }
      try (Connection connection = connector.connectMaintenance(source)) {
        return PgErrors.on(
            source,
            "reading the source's WAL position",
            () -> FreezeMarker.current(connection, writes));
      }
    } catch (SQLException e) {
      throw PgErrors.translate(source, "closing the connection", e);
    }
  }
}
