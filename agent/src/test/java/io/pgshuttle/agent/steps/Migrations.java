package io.pgshuttle.agent.steps;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import io.pgshuttle.agent.AgentConfig;
import io.pgshuttle.agent.TestAgentConfig;
import io.pgshuttle.agent.pipeline.AttemptContext;
import io.pgshuttle.agent.pipeline.AttemptJournalStore;
import io.pgshuttle.agent.pipeline.AttemptResult;
import io.pgshuttle.agent.pipeline.AttemptRunner;
import io.pgshuttle.agent.pipeline.FencingLedger;
import io.pgshuttle.agent.pipeline.PipelineStep;
import io.pgshuttle.agent.pipeline.StepException;
import io.pgshuttle.faults.Breakpoints;
import io.pgshuttle.iaas.DiskProvisioner;
import io.pgshuttle.iaas.DiskProvisioners;
import io.pgshuttle.messages.AttemptFailed;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.MigrationOptions;
import io.pgshuttle.messages.Secret;
import io.pgshuttle.messages.SslMode;
import io.pgshuttle.messages.StartMigration;
import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.TargetServer;
import io.pgshuttle.messages.VerifyLevel;
import io.pgshuttle.testkit.PostgresCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * A place to run migrations in tests: a source cluster that trusts the agent, a target cluster with
 * a password, an agent state directory and a {@code local} disk root, all under one temporary
 * directory that {@link #close()} removes.
 */
final class Migrations implements AutoCloseable {
  static final String TARGET_PASSWORD = "target-Secret:1";
  static final String INSTANCE = "vm-1";

  final PostgresCluster source;
  final PostgresCluster target;
  final Path work;
  final Path stateDir;
  final Path diskRoot;

  Migrations() {
    source = PostgresCluster.startTrusting();
    target = PostgresCluster.startWithPassword(TARGET_PASSWORD);
    try {
      work = Files.createTempDirectory("pgshuttle-agent-it-");
      stateDir = Files.createDirectories(work.resolve("state"));
      diskRoot = Files.createDirectories(work.resolve("disks"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The agent's configuration, with the system's PostgreSQL tools. */
  AgentConfig config() {
    return config(PostgresCluster.defaultBinDir(), Map.of("root", diskRoot.toString()));
  }

  AgentConfig config(Path pgBindir, Map<String, String> diskSettings) {
    return TestAgentConfig.of(INSTANCE, work)
        .source(source.url())
        .pgBindir(pgBindir)
        .disksAndState(diskRoot, stateDir)
        .iaasSettings(diskSettings)
        .build();
  }

  /** The steps as the agent wires them, through {@link StepsModule}. */
  static Set<PipelineStep> steps(AgentConfig config) {
    Injector injector =
        Guice.createInjector(
            new StepsModule(),
            new AbstractModule() {
              @Override
              protected void configure() {
                bind(AgentConfig.class).toInstance(config);
                bind(Breakpoints.class).toInstance(Breakpoints.none());
                bind(DiskProvisioner.class)
                    .toInstance(DiskProvisioners.create(config.iaas(), config.iaasSettings()));
              }
            });
    return injector.getInstance(Key.get(new TypeLiteral<Set<PipelineStep>>() {}));
  }

  /** A runner with the standard steps. */
  AttemptRunner runner(AgentConfig config) {
    return runner(config, UnaryOperator.identity());
  }

  /** A runner whose steps pass through {@code replace}, to wrap one of them. */
  AttemptRunner runner(AgentConfig config, UnaryOperator<PipelineStep> replace) {
    List<PipelineStep> steps = new ArrayList<>();
    for (PipelineStep step : steps(config)) {
      steps.add(replace.apply(step));
    }
    return new AttemptRunner(
        config.progressInterval(),
        new AttemptJournalStore(config.stateDir()),
        new FencingLedger(config.stateDir()),
        steps);
  }

  /** The local provider over this test's disk root, to look at what is left there. */
  DiskProvisioner disks() {
    return DiskProvisioners.create("local", Map.of("root", diskRoot.toString()));
  }

  /** A StartMigration for a new migration into this target. */
  static Envelope<StartMigration> command(
      MigrationId migrationId, int attempt, PostgresCluster target, List<String> databases) {
    return command(migrationId, attempt, target, databases, Secret.of(TARGET_PASSWORD));
  }

  static Envelope<StartMigration> command(
      MigrationId migrationId,
      int attempt,
      PostgresCluster target,
      List<String> databases,
      Secret password) {
    return Envelope.of(
        INSTANCE,
        migrationId,
        attempt,
        0,
        new StartMigration(
            INSTANCE,
            databases,
            new TargetServer(
                target.host(), target.port(), PostgresCluster.SUPERUSER, password, SslMode.DISABLE),
            new MigrationOptions(2, 3, false, VerifyLevel.FULL),
            attempt));
  }

  /**
   * Asserts that the attempt failed at VERIFY, for good, with {@code error}: a mismatch found while
   * the source was quiet.
   */
  static void assertMismatchAtVerify(
      AttemptResult result, RecordingEventSink events, String error) {
    assertThat(result.succeeded()).isFalse();
    AttemptFailed failed = events.attemptFailed();
    assertThat(failed.step()).isEqualTo(Step.VERIFY);
    assertThat(failed.retryable()).as(failed.error()).isFalse();
    assertThat(failed.error()).isEqualTo(error);
  }

  static MigrationId newMigrationId() {
    return MigrationId.forRequest("test-" + UUID.randomUUID());
  }

  /** A step that does what {@code delegate} does, then fails or stops as {@code after} says. */
  static PipelineStep after(PipelineStep delegate, StepAction after) {
    return new PipelineStep() {
      @Override
      public Step name() {
        return delegate.name();
      }

      @Override
      public void execute(AttemptContext context) throws StepException {
        delegate.execute(context);
        after.run();
      }

      @Override
      public void compensate(AttemptContext context) throws StepException {
        delegate.compensate(context);
      }
    };
  }

  /** What a wrapped step does after its delegate. */
  @FunctionalInterface
  interface StepAction {
    void run() throws StepException;
  }

  @Override
  public void close() {
    try {
      source.close();
    } finally {
      try {
        target.close();
      } finally {
        PostgresCluster.deleteRecursively(work);
      }
    }
  }
}
