package io.pgshuttle.agent.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.google.inject.Guice;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import io.pgshuttle.agent.AgentBroker;
import io.pgshuttle.agent.AgentConfig;
import io.pgshuttle.agent.AgentDaemon;
import io.pgshuttle.agent.AgentModule;
import io.pgshuttle.agent.TestAgentConfig;
import io.pgshuttle.agent.TestKeys;
import io.pgshuttle.agent.daemon.AttemptCancellation;
import io.pgshuttle.agent.pipeline.AttemptContext;
import io.pgshuttle.agent.pipeline.AttemptJournalStore;
import io.pgshuttle.agent.pipeline.AttemptRunner;
import io.pgshuttle.agent.pipeline.FencingLedger;
import io.pgshuttle.agent.pipeline.PipelineStep;
import io.pgshuttle.agent.pipeline.StepException;
import io.pgshuttle.agent.steps.PlannedDatabase;
import io.pgshuttle.iaas.Disk;
import io.pgshuttle.iaas.DiskProvisioner;
import io.pgshuttle.iaas.DiskProvisioners;
import io.pgshuttle.iaas.DiskRequest;
import io.pgshuttle.iaas.DiskTags;
import io.pgshuttle.messages.AttemptFailed;
import io.pgshuttle.messages.EndedMigration;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.Leftover;
import io.pgshuttle.messages.LeftoversSwept;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.MigrationOptions;
import io.pgshuttle.messages.MigrationSucceeded;
import io.pgshuttle.messages.Secret;
import io.pgshuttle.messages.SslMode;
import io.pgshuttle.messages.StartMigration;
import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.StepStarted;
import io.pgshuttle.messages.SweepLeftovers;
import io.pgshuttle.messages.TargetServer;
import io.pgshuttle.messages.Topology;
import io.pgshuttle.messages.VerifyLevel;
import io.pgshuttle.testkit.PostgresCluster;
import io.pgshuttle.testkit.TestBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The orphan sweeper in a real agent daemon: SweepLeftovers travel over the real broker, disks are
 * made by the {@code local} provider, databases live on a real target cluster, and every report is
 * the LeftoversSwept event the agent published.
 */
class LeftoverSweeperIT {
  private static final String INSTANCE = "sweep-vm";
  private static final String PASSWORD = "sweep-target-pw";
  private static final Duration WAIT = Duration.ofMinutes(2);

  @TempDir Path work;
  private final Topology topology = new Topology(TestBroker.freshNamespace());
  private final MessageCodec codec = new MessageCodec();
  private PostgresCluster source;
  private PostgresCluster target;
  private DiskProvisioner disks;
  private AgentBroker broker;
  private List<Envelope<Event>> events;
  private AgentDaemon daemon;

  @BeforeEach
  void start() throws Exception {
    source = PostgresCluster.startTrusting();
    source.execute(
        "postgres", "CREATE ROLE shop_owner LOGIN", "CREATE DATABASE shop OWNER shop_owner");
    source.execute(
        "shop",
        "CREATE TABLE items (id int PRIMARY KEY, name text)",
        "ALTER TABLE items OWNER TO shop_owner",
        "INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 5000) g");
    target = PostgresCluster.startWithPassword(PASSWORD);
    disks =
        DiskProvisioners.create(
            "local", Map.of("root", Files.createDirectories(work.resolve("disks")).toString()));
    broker = new AgentBroker(topology, INSTANCE, TestKeys.in(work.resolve("keys")));
    events = broker.events();
  }

  @AfterEach
  void stop() throws Exception {
    if (daemon != null) {
      daemon.close();
    }
    broker.close();
    target.close();
    source.close();
  }

  @Test
  void leftoversOfEndedMigrationsGoWhileARunningAttemptAndOtherDatabasesStay() throws Exception {
    startAgent(Duration.ofHours(1));
    MigrationId ended = newMigrationId();
    MigrationId running = newMigrationId();
    MigrationId other = newMigrationId();
    MigrationId unknown = newMigrationId();
    // The running attempt holds in QUIESCE_SOURCE, its disk made, while the test locks a table.
    try (var lock = source.connect("shop")) {
      lock.setAutoCommit(false);
      lock.createStatement().execute("LOCK TABLE items IN ACCESS EXCLUSIVE MODE");
      publishCommand(command(running, 1, Secret.of(PASSWORD), List.of("shop")));
      await().atMost(WAIT).until(() -> started(running, Step.QUIESCE_SOURCE));
      Disk runningDisk = diskOf(running, 1);
      Disk endedDisk = makeDisk(ended, 1);
      Disk unknownDisk = makeDisk(unknown, 1);
      String endedStaging = PlannedDatabase.stagingName(ended, 1);
      target.execute(
          "postgres",
          "CREATE DATABASE " + endedStaging,
          "CREATE DATABASE " + PlannedDatabase.stagingName(other, 1),
          "CREATE DATABASE " + PlannedDatabase.stagingPrefix(ended) + "x",
          "CREATE DATABASE app");
      try (var session = target.connect(endedStaging)) {
        UUID sweepId = UUID.randomUUID();

        publishSweep(
            sweepId, List.of(endedMigration(ended, PASSWORD), endedMigration(running, PASSWORD)));
        LeftoversSwept report = awaitReport(sweepId);

        assertThat(report.removed())
            .containsExactly(
                new Leftover(Leftover.Kind.DISK, endedDisk.id(), ended, null),
                new Leftover(Leftover.Kind.DATABASE, endedStaging, ended, null));
        assertThat(report.notRemoved())
            .singleElement()
            .satisfies(
                leftover -> {
                  assertThat(leftover.kind()).isEqualTo(Leftover.Kind.MIGRATION);
                  assertThat(leftover.migrationId()).isEqualTo(running);
                  assertThat(leftover.detail()).contains("runs on this agent");
                });
        assertThat(report.cleanMigrations()).containsExactly(ended);
        assertThat(diskIds())
            .as("the running attempt's disk, and a disk no journal here and no sweep names")
            .containsExactlyInAnyOrder(runningDisk.id(), unknownDisk.id());
        assertThat(target.userDatabases())
            .containsExactlyInAnyOrder(
                "app",
                PlannedDatabase.stagingName(other, 1),
                PlannedDatabase.stagingPrefix(ended) + "x");
        assertThat(session.isValid(2)).as("the staging database's session was ended").isFalse();
      }
      lock.rollback();
    }
    await()
        .atMost(WAIT)
        .alias("the running attempt lost nothing to the sweep")
        .until(() -> count(running, MigrationSucceeded.class) == 1);
    assertThat(target.userDatabases()).contains("shop");
  }

  @Test
  void anUnfinishedRollbackIsFinishedWithTheRightPasswordAndAWrongOneRemovesNothing()
      throws Exception {
    AgentConfig config = config(Duration.ofHours(1));
    MigrationId ended = newMigrationId();
    List<List<String>> rolesBefore = target.query("postgres", "SELECT rolname FROM pg_roles");
    // An agent killed during RESTORE leaves staging databases and roles on the target...
    assertThatThrownBy(
            () ->
                killedAfterRestore(config)
                    .run(
                        command(ended, 1, Secret.of(PASSWORD), List.of("shop")),
                        event -> {},
                        new AttemptCancellation()))
        .isInstanceOf(AgentKilled.class);
    String staging = PlannedDatabase.stagingName(ended, 1);
    assertThat(target.userDatabases()).containsExactly(staging);
    // ...which its successor, without the password, cannot drop.
    startAgent(config);
    await().atMost(WAIT).until(() -> count(ended, AttemptFailed.class) == 1);
    assertThat(attemptFailed(ended).rollbackErrors())
        .singleElement()
        .asString()
        .startsWith("RESTORE: left staging database \"" + staging + "\", role \"shop_owner\"");

    UUID wrong = UUID.randomUUID();
    publishSweep(wrong, List.of(endedMigration(ended, "not-the-password")));
    LeftoversSwept refused = awaitReport(wrong);

    assertThat(refused.removed()).isEmpty();
    assertThat(refused.cleanMigrations()).isEmpty();
    assertThat(refused.notRemoved())
        .extracting(Leftover::kind, Leftover::name, Leftover::migrationId)
        .containsExactly(
            tuple(Leftover.Kind.ROLLBACK, "attempt 1", ended),
            tuple(Leftover.Kind.DATABASE, PlannedDatabase.stagingPrefix(ended) + "*", ended));
    assertThat(refused.notRemoved())
        .allSatisfy(
            leftover ->
                assertThat(leftover.detail())
                    .contains("target refused the password for user postgres")
                    .contains("correct the password"));
    assertThat(broker.rawEvents()).doesNotContain("not-the-password").doesNotContain(PASSWORD);
    assertThat(target.userDatabases()).containsExactly(staging);
    assertThat(
            target.queryValue(
                "postgres", "SELECT count(*) FROM pg_roles WHERE rolname = 'shop_owner'"))
        .isEqualTo("1");

    UUID right = UUID.randomUUID();
    publishSweep(right, List.of(endedMigration(ended, PASSWORD)));
    LeftoversSwept finished = awaitReport(right);

    assertThat(finished.removed())
        .extracting(Leftover::kind, Leftover::name)
        .containsExactly(
            tuple(Leftover.Kind.ROLLBACK, "attempt 1"), tuple(Leftover.Kind.DATABASE, staging));
    assertThat(finished.removed().get(0).detail())
        .as("why the rollback was left, as the last try found it")
        .startsWith("RESTORE: target refused the password");
    assertThat(finished.notRemoved()).isEmpty();
    assertThat(finished.cleanMigrations()).containsExactly(ended);
    assertThat(target.userDatabases()).isEmpty();
    assertThat(target.query("postgres", "SELECT rolname FROM pg_roles"))
        .containsExactlyInAnyOrderElementsOf(rolesBefore);
    assertThat(
            new AttemptJournalStore(config.stateDir())
                .find(ended, 1)
                .orElseThrow()
                .failure()
                .orElseThrow()
                .rollbackErrors())
        .isEmpty();
  }

  @Test
  void thePeriodicSweepRemovesTheDisksOfAttemptsThatEndedHereAndNoOthers() throws Exception {
    startAgent(Duration.ofMillis(500));
    MigrationId failed = newMigrationId();
    MigrationId unknown = newMigrationId();
    publishCommand(command(failed, 1, Secret.of(PASSWORD), List.of("no_such_database")));
    await().atMost(WAIT).until(() -> count(failed, AttemptFailed.class) == 1);
    // As if its rollback had not deleted it: a cloud error, a kill at the wrong moment.
    Disk left = makeDisk(failed, 1);
    Disk foreign = makeDisk(unknown, 1);

    LeftoversSwept report = awaitReport(envelope -> true);

    assertThat(report.removed())
        .containsExactly(new Leftover(Leftover.Kind.DISK, left.id(), failed, null));
    assertThat(report.notRemoved()).isEmpty();
    assertThat(report.cleanMigrations()).isEmpty();
    Thread.sleep(1500); // three more periodic sweeps
    assertThat(diskIds())
        .as("a disk of an attempt this agent never ran may be another agent's")
        .containsExactly(foreign.id());
    assertThat(events.stream().filter(e -> e.payload() instanceof LeftoversSwept).count())
        .as("sweeps that meet nothing report nothing")
        .isEqualTo(1);
  }

  /** Stands for the agent's process dying: nothing in the runner catches it. */
  private static final class AgentKilled extends Error {
    AgentKilled() {
      super("agent killed by the test");
    }
  }

  /** A runner with the agent's steps, whose process dies right after RESTORE. */
  private static AttemptRunner killedAfterRestore(AgentConfig config) {
    Set<PipelineStep> steps =
        Guice.createInjector(new AgentModule(config))
            .getInstance(Key.get(new TypeLiteral<Set<PipelineStep>>() {}));
    List<PipelineStep> wrapped = new ArrayList<>();
    for (PipelineStep step : steps) {
      wrapped.add(
          step.name() != Step.RESTORE
              ? step
              : new PipelineStep() {
                @Override
                public Step name() {
                  return step.name();
                }

                @Override
                public void execute(AttemptContext context) throws StepException {
                  step.execute(context);
                  throw new AgentKilled();
                }

                @Override
                public void compensate(AttemptContext context) throws StepException {
                  step.compensate(context);
                }
              });
    }
    return new AttemptRunner(
        config.progressInterval(),
        new AttemptJournalStore(config.stateDir()),
        new FencingLedger(config.stateDir()),
        wrapped);
  }

  private AgentConfig config(Duration sweepInterval) {
    return TestAgentConfig.of(INSTANCE, work)
        .broker(TestBroker.uri(), topology.namespace())
        .source(source.url())
        .intervals(Duration.ofMillis(300), Duration.ofMillis(200))
        .sweepInterval(sweepInterval)
        .build();
  }

  private void startAgent(Duration sweepInterval) throws Exception {
    startAgent(config(sweepInterval));
  }

  private void startAgent(AgentConfig config) throws Exception {
    daemon = Guice.createInjector(new AgentModule(config)).getInstance(AgentDaemon.class);
    daemon.start();
  }

  private static MigrationId newMigrationId() {
    return MigrationId.forRequest("sweep-it-" + UUID.randomUUID());
  }

  private Envelope<StartMigration> command(
      MigrationId migration, int attempt, Secret password, List<String> databases) {
    return Envelope.of(
        INSTANCE,
        migration,
        attempt,
        0,
        new StartMigration(
            INSTANCE,
            databases,
            targetServer(password),
            new MigrationOptions(1, 1, false, VerifyLevel.COUNTS),
            attempt));
  }

  private TargetServer targetServer(Secret password) {
    return new TargetServer(
        target.host(), target.port(), PostgresCluster.SUPERUSER, password, SslMode.DISABLE);
  }

  private EndedMigration endedMigration(MigrationId migration, String password) {
    return new EndedMigration(migration, targetServer(Secret.of(password)));
  }

  private void publishCommand(Envelope<StartMigration> command) throws Exception {
    broker.publishCommand(command);
  }

  private void publishSweep(UUID sweepId, List<EndedMigration> migrations) throws Exception {
    SweepLeftovers sweep = new SweepLeftovers(INSTANCE, sweepId, migrations);
    broker.publishControl(Envelope.of(INSTANCE, sweep.envelopeId(), 0, 0, sweep));
  }

  private LeftoversSwept awaitReport(UUID sweepId) {
    return awaitReport(envelope -> envelope.migrationId().value().equals(sweepId));
  }

  /** The first report whose envelope is {@code wanted}. */
  private LeftoversSwept awaitReport(Predicate<Envelope<Event>> wanted) {
    return await()
        .atMost(WAIT)
        .until(
            () ->
                events.stream()
                    .filter(wanted)
                    .map(Envelope::payload)
                    .filter(LeftoversSwept.class::isInstance)
                    .map(LeftoversSwept.class::cast)
                    .findFirst()
                    .orElse(null),
            found -> found != null);
  }

  private boolean started(MigrationId migration, Step step) {
    return events.stream()
        .anyMatch(
            e ->
                e.migrationId().equals(migration)
                    && e.payload() instanceof StepStarted started
                    && started.step() == step);
  }

  private long count(MigrationId migration, Class<? extends Event> type) {
    return events.stream()
        .filter(e -> e.migrationId().equals(migration) && type.isInstance(e.payload()))
        .count();
  }

  private AttemptFailed attemptFailed(MigrationId migration) {
    return events.stream()
        .filter(e -> e.migrationId().equals(migration))
        .map(Envelope::payload)
        .filter(AttemptFailed.class::isInstance)
        .map(AttemptFailed.class::cast)
        .findFirst()
        .orElseThrow();
  }

  /** A disk made as PROVISION_DISK makes one, attached, with no journal leading to it. */
  private Disk makeDisk(MigrationId migration, int attempt) {
    Disk disk =
        disks.create(
            new DiskRequest(
                migration + "-" + attempt,
                1,
                DiskTags.forAttempt(INSTANCE, migration.toString(), attempt)));
    disks.attach(disk.id());
    return disk;
  }

  private Disk diskOf(MigrationId migration, int attempt) {
    return disks.listByTags(DiskTags.forAttempt(INSTANCE, migration.toString(), attempt)).stream()
        .findFirst()
        .orElseThrow(() -> new AssertionError("no disk of " + migration + " attempt " + attempt));
  }

  private List<String> diskIds() {
    return disks.listByTags(DiskTags.forInstance(INSTANCE)).stream().map(Disk::id).toList();
  }
}
