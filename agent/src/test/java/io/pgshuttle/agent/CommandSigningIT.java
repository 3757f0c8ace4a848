package io.pgshuttle.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.inject.Guice;
import io.pgshuttle.messages.AttemptFailed;
import io.pgshuttle.messages.CancelMigration;
import io.pgshuttle.messages.CommandRefused;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.MigrationOptions;
import io.pgshuttle.messages.Secret;
import io.pgshuttle.messages.SslMode;
import io.pgshuttle.messages.StartMigration;
import io.pgshuttle.messages.TargetServer;
import io.pgshuttle.messages.Topology;
import io.pgshuttle.messages.VerifyLevel;
import io.pgshuttle.security.KeyAlgorithm;
import io.pgshuttle.security.MessageSignature;
import io.pgshuttle.security.MessageSigner;
import io.pgshuttle.testkit.PostgresCluster;
import io.pgshuttle.testkit.TestBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent on the real broker refuses every command that is not what the coordinator signed for
 * it, and for each refusal does nothing but ack it and report a CommandRefused: no journal, no
 * inbox entry, no disk, nothing on the source or the target. Commands signed with either of two
 * trusted coordinator keys are taken; once a key is no longer trusted, its commands are refused.
 */
class CommandSigningIT {
  static final String INSTANCE = "signing-vm";
  static final String PASSWORD = "signing-target-pw";
  static final Duration WAIT = Duration.ofSeconds(60);

  static PostgresCluster source;
  static PostgresCluster target;

  @TempDir Path work;
  final Topology topology = new Topology(TestBroker.freshNamespace());
  final MessageCodec codec = new MessageCodec();
  AgentBroker broker;
  AgentDaemon daemon;
  TestKeys keys;

  @BeforeAll
  static void startServers() {
    source = PostgresCluster.startTrusting();
    source.execute("postgres", "CREATE DATABASE shop");
    target = PostgresCluster.startWithPassword(PASSWORD);
  }

  @AfterAll
  static void stopServers() {
    target.close();
    source.close();
  }

  @AfterEach
  void stop() throws Exception {
    if (daemon != null) {
      daemon.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void eachForgedOrMisusedCommandIsRefusedWithNoSideEffect() throws Exception {
    start(config());
    KeyPair stranger = KeyAlgorithm.ED25519.generate();
    MessageSigner expired =
        new MessageSigner(
            keys.coordinatorKey(),
            Clock.fixed(Instant.now().minus(Duration.ofHours(2)), ZoneOffset.UTC),
            Duration.ofHours(1));

    refused(() -> broker.publishCommand(command(INSTANCE), null), CommandRefused.Reason.UNSIGNED);
    refused(
        () -> broker.publishCommand(command(INSTANCE), TestKeys.signer(stranger)),
        CommandRefused.Reason.UNKNOWN_KEY);
    refused(() -> broker.publishCommand(command(INSTANCE), expired), CommandRefused.Reason.EXPIRED);
    refused(() -> broker.publishCommand(command("other-vm")), CommandRefused.Reason.OTHER_INSTANCE);
    refused(() -> tamperedBody(command(INSTANCE)), CommandRefused.Reason.BAD_SIGNATURE);
    refused(() -> tamperedHeader(command(INSTANCE)), CommandRefused.Reason.BAD_SIGNATURE);
    assertThat(refusals()).hasSize(6);
    assertNoSideEffect();
    assertThat(broker.commandsWaiting()).isZero();
    assertThat(broker.rawEvents()).doesNotContain(PASSWORD);
  }

  @Test
  void aCancelSignedByAnUnknownKeyIsRefusedAndRecordsNothing() throws Exception {
    start(config());
    MigrationId migration = MigrationId.forRequest(UUID.randomUUID().toString());

    broker.publishRaw(
        signed(
            Envelope.of(INSTANCE, migration, 1, 0, new CancelMigration(INSTANCE, "forged")),
            TestKeys.signer(KeyAlgorithm.ED25519.generate())),
        topology.controlExchange());

    await().atMost(WAIT).until(() -> refusals().size() == 1);
    assertThat(refusals().get(0).reason()).isEqualTo(CommandRefused.Reason.UNKNOWN_KEY);
    assertThat(refusals().get(0).commandType()).isEqualTo("CancelMigration");
    assertNoSideEffect();
  }

  @Test
  void aCommandReplayedAfterTheAgentRestartedIsRefused() throws Exception {
    start(config());
    Envelope<StartMigration> command = command(INSTANCE);
    AgentBroker.Published taken = broker.publishCommand(command);
    await().atMost(WAIT).until(() -> attemptsFailed(command.migrationId()) == 1);
    daemon.close();
    start(config());
    List<String> stateBefore = stateFiles();

    broker.publishRaw(taken);

    await().atMost(WAIT).until(() -> refusals().size() == 1);
    assertThat(refusals().get(0).reason()).isEqualTo(CommandRefused.Reason.REPLAYED);
    assertThat(refusals().get(0).commandMessageId()).isEqualTo(command.messageId());
    assertThat(attemptsFailed(command.migrationId())).isEqualTo(1);
    assertThat(stateFiles()).isEqualTo(stateBefore);
    assertThat(target.userDatabases()).isEmpty();
  }

  @Test
  void duringARotationEitherKeyIsTrustedAndARemovedKeyIsRefused() throws Exception {
    TestAgentConfig rotating = TestAgentConfig.of(INSTANCE, work);
    KeyPair next = rotating.keys().coordinatorKey("coordinator-next");
    Path current = rotating.keys().coordinatorPublicFile();
    Path nextFile = rotating.keys().coordinatorPublicFile("coordinator-next");
    start(configured(rotating.coordinatorKeys(List.of(current, nextFile))));

    Envelope<StartMigration> byCurrent = command(INSTANCE);
    broker.publishCommand(byCurrent);
    await().atMost(WAIT).until(() -> attemptsFailed(byCurrent.migrationId()) == 1);
    Envelope<StartMigration> byNext = command(INSTANCE);
    broker.publishCommand(byNext, TestKeys.signer(next));
    await().atMost(WAIT).until(() -> attemptsFailed(byNext.migrationId()) == 1);

    daemon.close();
    start(configured(TestAgentConfig.of(INSTANCE, work).coordinatorKeys(List.of(nextFile))));
    Envelope<StartMigration> byRemoved = command(INSTANCE);
    broker.publishCommand(byRemoved);

    await().atMost(WAIT).until(() -> refusals().size() == 1);
    assertThat(refusals().get(0).reason()).isEqualTo(CommandRefused.Reason.UNKNOWN_KEY);
    assertThat(refusals().get(0).commandMessageId()).isEqualTo(byRemoved.messageId());
    assertThat(attemptsFailed(byRemoved.migrationId())).isZero();
  }

  private void start(AgentConfig config) throws Exception {
    daemon = Guice.createInjector(new AgentModule(config)).getInstance(AgentDaemon.class);
    daemon.start();
    if (broker == null) {
      broker = new AgentBroker(topology, INSTANCE, TestKeys.in(work.resolve("keys")));
    }
  }

  private AgentConfig config() {
    return configured(TestAgentConfig.of(INSTANCE, work));
  }

  private AgentConfig configured(TestAgentConfig config) {
    keys = config.keys();
    return config
        .broker(TestBroker.uri(), topology.namespace())
        .source(source.url())
        .intervals(Duration.ofMillis(300), Duration.ofMillis(200))
        .build();
  }

  /** A command whose attempt fails fast in PREFLIGHT (its database does not exist). */
  private Envelope<StartMigration> command(String addressedTo) {
    return Envelope.of(
        addressedTo,
        MigrationId.forRequest(UUID.randomUUID().toString()),
        1,
        0,
        new StartMigration(
            addressedTo,
            List.of("no_such_database"),
            new TargetServer(
                target.host(),
                target.port(),
                PostgresCluster.SUPERUSER,
                Secret.of(PASSWORD),
                SslMode.DISABLE),
            new MigrationOptions(1, 1, false, VerifyLevel.FULL),
            1));
  }

  private AgentBroker.Published signed(Envelope<?> envelope, MessageSigner signer) {
    byte[] body = codec.encode(envelope);
    return new AgentBroker.Published(body, signer.sign(envelope, body));
  }

  /** Signed by the coordinator's key, then one byte of the body changed: the target's port. */
  private void tamperedBody(Envelope<StartMigration> command) throws Exception {
    AgentBroker.Published genuine = signed(broker.sealed(command), keys.coordinatorSigner());
    String text = new String(genuine.body(), StandardCharsets.UTF_8);
    String port = "\"port\":" + target.port();
    assertThat(text).contains(port);
    byte[] changed =
        text.replace(port, "\"port\":" + (target.port() + 1)).getBytes(StandardCharsets.UTF_8);
    broker.publishRaw(new AgentBroker.Published(changed, genuine.headers()));
  }

  /** Signed by the coordinator's key, then its expiry pushed a day later. */
  private void tamperedHeader(Envelope<StartMigration> command) throws Exception {
    AgentBroker.Published genuine = signed(broker.sealed(command), keys.coordinatorSigner());
    Map<String, Object> headers = new HashMap<>(genuine.headers());
    headers.put(
        MessageSignature.EXPIRES_AT,
        Instant.parse(headers.get(MessageSignature.EXPIRES_AT).toString())
            .plus(Duration.ofDays(1))
            .toString());
    broker.publishRaw(new AgentBroker.Published(genuine.body(), headers));
  }

  private interface Publication {
    void publish() throws Exception;
  }

  /** Publishes, waits for the refusal of what was published, and checks its reason. */
  private void refused(Publication publication, CommandRefused.Reason reason) throws Exception {
    int before = refusals().size();
    publication.publish();
    await().atMost(WAIT).until(() -> refusals().size() > before);
    assertThat(refusals().get(before).reason()).isEqualTo(reason);
  }

  private List<CommandRefused> refusals() {
    return broker.events().stream()
        .map(Envelope::payload)
        .filter(CommandRefused.class::isInstance)
        .map(CommandRefused.class::cast)
        .toList();
  }

  private long attemptsFailed(MigrationId migration) {
    return broker.events().stream()
        .filter(e -> e.migrationId().equals(migration))
        .map(Envelope::payload)
        .filter(AttemptFailed.class::isInstance)
        .count();
  }

  /** No event but refusals, no journal, inbox or fencing entry, no disk, no new database. */
  private void assertNoSideEffect() throws Exception {
    assertThat(broker.events()).map(Envelope::payload).allMatch(CommandRefused.class::isInstance);
    Path state = work.resolve("state");
    for (String area : List.of("attempts", "inbox", "fencing")) {
      assertThat(entries(state.resolve(area))).as(area).isEmpty();
    }
    assertThat(entries(work.resolve("disks"))).as("disks").isEmpty();
    assertThat(target.userDatabases()).isEmpty();
    assertThat(source.userDatabases()).containsExactly("shop");
  }

  private List<String> stateFiles() throws Exception {
    return entries(work.resolve("state").resolve("attempts"));
  }

  private static List<String> entries(Path directory) throws Exception {
    if (!Files.isDirectory(directory)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(directory)) {
      return files
          .filter(Files::isRegularFile)
          .map(directory::relativize)
          .map(Path::toString)
          .sorted()
          .toList();
    }
  }
}
