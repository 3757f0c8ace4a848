package io.pgshuttle.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.inject.Guice;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.pgshuttle.agent.AgentConfig;
import io.pgshuttle.agent.AgentDaemon;
import io.pgshuttle.agent.AgentModule;
import io.pgshuttle.amqp.AmqpErrors;
import io.pgshuttle.amqp.AmqpException;
import io.pgshuttle.amqp.BrokerGrants;
import io.pgshuttle.amqp.TopologyDeclarer;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.LeftoversSwept;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.MigrationOptions;
import io.pgshuttle.messages.Secret;
import io.pgshuttle.messages.StartMigration;
import io.pgshuttle.messages.SweepLeftovers;
import io.pgshuttle.messages.TargetServer;
import io.pgshuttle.messages.Topology;
import io.pgshuttle.security.KeyAlgorithm;
import io.pgshuttle.security.KeyFiles;
import io.pgshuttle.security.MessageSigner;
import io.pgshuttle.security.SecretSealer;
import io.pgshuttle.testkit.PostgresCluster;
import io.pgshuttle.testkit.RabbitNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pgshuttle broker} on a RabbitMQ node of the test's own with the management plugin: the
 * users it makes can do what their role needs and nothing else, the broker checks the user-id of
 * what they publish, and a real agent works under its restricted user.
 */
class BrokerPermissionsIT {
  static final Duration WAIT = Duration.ofSeconds(60);
  static final Topology TOPOLOGY = Topology.standard();
  static final String PASSWORD = "broker-it-" + UUID.randomUUID();

  @AutoClose
  static final RabbitNode broker = RabbitNode.start(List.of(), List.of("rabbitmq_management"));

  @TempDir static Path work;

  static final MessageCodec codec = new MessageCodec();
  private static final String COORDINATOR = "coordinator";

  @BeforeAll
  static void prepareTheBroker() throws Exception {
    Path passwordFile = work.resolve("password");
    Files.writeString(passwordFile, PASSWORD + "\n");
    String file = passwordFile.toString();
    run("broker", "setup");
    run("broker", "add-coordinator", "--password-file", file);
    run("broker", "add-control-plane", "--password-file", file);
    run("broker", "add-agent", "--instance", "vm-a", "--password-file", file);
    run("broker", "add-agent", "--instance", "vm-b", "--password-file", file);
    run("broker", "add-agent", "--instance", "vm-c", "--certificate-login");
    KeyFiles.generate(work, COORDINATOR, KeyAlgorithm.ED25519);
    KeyFiles.generate(work, COORDINATOR, KeyAlgorithm.X25519);
  }

  @Test
  void anUnreachableManagementApiSaysWhatToCheckAndNoPassword() {
    CliRun run =
        CliRun.run(
            Map.of(
                "PGSHUTTLE_BROKER_ADMIN_USER",
                "guest",
                "PGSHUTTLE_BROKER_ADMIN_PASSWORD",
                PASSWORD),
            new FakeBackends(),
            "broker",
            "setup",
            "--management-url",
            "http://127.0.0.1:1");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.UNREACHABLE);
    assertThat(run.err())
        .contains("cannot reach the RabbitMQ management API at http://127.0.0.1:1")
        .contains("rabbitmq_management");
    assertThat(run.all()).doesNotContain(PASSWORD);
  }

  @Test
  void aUserMadeForCertificateLoginHasNoPassword() throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    for (String password : List.of(PASSWORD, "")) {
      factory.setUri(broker.uri("agent-vm-c", password));
      assertThatThrownBy(() -> factory.newConnection("no-password"))
          .isInstanceOf(com.rabbitmq.client.AuthenticationFailureException.class);
    }
  }

  @Test
  void anAgentReadsItsOwnQueuesOnly() throws Exception {
    try (Connection agent = connect("agent-vm-a")) {
      consume(agent, TOPOLOGY.agentQueue("vm-a"));
      consume(agent, TOPOLOGY.agentControlQueue("vm-a"));
      assertRefused(() -> consume(agent, TOPOLOGY.agentQueue("vm-b")));
      assertRefused(() -> consume(agent, TOPOLOGY.coordinatorEventsQueue()));
      assertRefused(() -> consume(agent, TOPOLOGY.requestsQueue()));
    }
  }

  @Test
  void anAgentPublishesItsOwnEventsOnlyAndNoCommands() throws Exception {
    String routingKey = "vm-a." + UUID.randomUUID() + ".StepStarted";
    try (Connection controlPlane = connect(BrokerGrants.CONTROL_PLANE_USER);
        Channel follower = controlPlane.createChannel();
        Connection agent = connect("agent-vm-a")) {
      String queue = follower.queueDeclare("", false, true, true, Map.of()).getQueue();
      follower.queueBind(queue, TOPOLOGY.eventsExchange(), "vm-a.#");
      publish(agent, TOPOLOGY.eventsExchange(), routingKey, "agent-vm-a");
      assertRefused(
          () ->
              publish(
                  agent,
                  TOPOLOGY.eventsExchange(),
                  "vm-b." + UUID.randomUUID() + ".StepStarted",
                  "agent-vm-a"));
      assertRefused(() -> publish(agent, TOPOLOGY.commandsExchange(), "vm-b", "agent-vm-a"));
      assertRefused(() -> publish(agent, TOPOLOGY.controlExchange(), "vm-a", "agent-vm-a"));
      assertRefused(() -> publish(agent, "", TOPOLOGY.requestsQueue(), "agent-vm-a"));

      GetResponse event = follower.basicGet(queue, true);
      assertThat(event.getEnvelope().getRoutingKey()).isEqualTo(routingKey);
      assertThat(event.getProps().getUserId()).isEqualTo("agent-vm-a");
      assertThat(follower.basicGet(queue, true)).isNull();
    }
  }

  @Test
  void theBrokerRefusesAUserIdThatIsNotTheConnectionsUser() throws Exception {
    try (Connection agent = connect("agent-vm-a")) {
      Channel channel = agent.createChannel();
      channel.confirmSelect();
      channel.basicPublish(
          TOPOLOGY.eventsExchange(),
          "vm-a." + UUID.randomUUID() + ".StepStarted",
          new AMQP.BasicProperties.Builder().userId("agent-vm-b").build(),
          "{}".getBytes(StandardCharsets.UTF_8));
      assertThatThrownBy(() -> channel.waitForConfirmsOrDie(WAIT.toMillis()))
          .satisfies(e -> assertThat(AmqpErrors.replyCode(e)).isEqualTo(AMQP.PRECONDITION_FAILED));
    }
  }

  @Test
  void anAgentDeclaresDeletesAndPurgesNothing() throws Exception {
    try (Connection agent = connect("agent-vm-a")) {
      assertRefused(
          () ->
              agent
                  .createChannel()
                  .queueDeclare("pgshuttle.agent.vm-a.extra", true, false, false, Map.of()));
      assertRefused(
          () ->
              agent
                  .createChannel()
                  .queueBind(TOPOLOGY.agentQueue("vm-a"), TOPOLOGY.commandsExchange(), "vm-b"));
      assertRefused(() -> agent.createChannel().queueDelete(TOPOLOGY.agentQueue("vm-a")));
      assertRefused(() -> agent.createChannel().queuePurge(TOPOLOGY.agentQueue("vm-b")));
      assertRefused(() -> agent.createChannel().queuePurge(TOPOLOGY.requestsQueue()));
      assertRefused(() -> agent.createChannel().exchangeDelete(TOPOLOGY.eventsExchange()));
    }
  }

  @Test
  void aControlPlanePublishesRequestsAndFollowsEventsButSendsNoCommands() throws Exception {
    try (Connection controlPlane = connect(BrokerGrants.CONTROL_PLANE_USER)) {
      Channel channel = controlPlane.createChannel();
      String queue = channel.queueDeclare("", false, true, true, Map.of()).getQueue();
      channel.queueBind(queue, TOPOLOGY.eventsExchange(), "vm-b.#");
      consume(controlPlane, queue);
      assertRefused(() -> publish(controlPlane, TOPOLOGY.commandsExchange(), "vm-a", null));
      assertRefused(
          () ->
              publish(
                  controlPlane,
                  TOPOLOGY.eventsExchange(),
                  "vm-a." + UUID.randomUUID() + ".StepStarted",
                  null));
      assertRefused(() -> consume(controlPlane, TOPOLOGY.agentQueue("vm-a")));
      assertRefused(() -> consume(controlPlane, TOPOLOGY.requestsQueue()));
    }
  }

  @Test
  void theCoordinatorNeverReadsAnAgentsQueue() throws Exception {
    try (Connection coordinator = connect(BrokerGrants.COORDINATOR_USER)) {
      assertRefused(() -> consume(coordinator, TOPOLOGY.agentQueue("vm-a")));
      assertRefused(() -> consume(coordinator, TOPOLOGY.agentControlQueue("vm-a")));
    }
  }

  @Test
  void theAgentTakesItsCommandsAndPublishesItsEventsUnderItsRestrictedUser() throws Exception {
    AgentDaemon agent = agent("vm-b");
    try (Connection follower = connect(BrokerGrants.CONTROL_PLANE_USER);
        Channel events = follower.createChannel();
        agent) {
      String queue = events.queueDeclare("", false, true, true, Map.of()).getQueue();
      events.queueBind(queue, TOPOLOGY.eventsExchange(), "vm-b.#");
      agent.start();

      MigrationId migration = MigrationId.forRequest("broker-it-" + UUID.randomUUID());
      UUID sweep = UUID.randomUUID();
      // Signed with the coordinator's key and the password sealed for the agent, as the
      // coordinator sends them.
      TargetServer target =
          new TargetServer("127.0.0.1", 1, "admin", null, null)
              .withSealedPassword(new SecretSealer().seal(Secret.of("pw"), sealingKey("vm-b")));
      try (Connection coordinator = connect(BrokerGrants.COORDINATOR_USER)) {
        sendSigned(
            coordinator,
            TOPOLOGY.commandsExchange(),
            Envelope.of(
                "vm-b",
                migration,
                1,
                0,
                new StartMigration(
                    "vm-b", List.of("app"), target, MigrationOptions.defaults(), 1)));
        sendSigned(
            coordinator,
            TOPOLOGY.controlExchange(),
            Envelope.of(
                "vm-b",
                new MigrationId(sweep),
                0,
                0,
                new SweepLeftovers("vm-b", sweep, List.of())));
      }

      List<Envelope<Event>> received = new ArrayList<>();
      Map<String, String> userIds = new HashMap<>();
      await()
          .atMost(WAIT)
          .until(
              () -> {
                GetResponse next;
                while ((next = events.basicGet(queue, true)) != null) {
                  Envelope<Event> event = codec.decode(next.getBody(), Event.class);
                  received.add(event);
                  userIds.put(event.type(), next.getProps().getUserId());
                }
                return received.stream()
                        .anyMatch(e -> e.migrationId().equals(migration) && e.seq() > 1)
                    && received.stream().anyMatch(e -> e.payload() instanceof LeftoversSwept);
              });
      assertThat(received).allMatch(e -> e.instanceId().equals("vm-b"));
      assertThat(userIds.values()).containsOnly("agent-vm-b");
    }
  }

  @Test
  void anAgentWhoseQueuesAreMissingStopsSayingHowToMakeThem() throws Exception {
    run(
        "broker",
        "add-agent",
        "--instance",
        "vm-d",
        "--password-file",
        work.resolve("password").toString());
    try (Connection admin = connectTo(broker.uri());
        Channel channel = admin.createChannel()) {
      channel.queueDelete(TOPOLOGY.agentQueue("vm-d"));
    }

    try (AgentDaemon agent = agent("vm-d")) {
      assertThatThrownBy(agent::start)
          .isInstanceOf(AmqpException.class)
          .hasMessageContaining("its broker user may not declare them")
          .hasMessageContaining("pgshuttle broker add-agent --instance vm-d");
    }
  }

  @Test
  void theCoordinatorDeclaresExactlyWhatSetupMadeAndTakesTheControlPlanesRequests()
      throws Exception {
    try (Connection coordinator = connect(BrokerGrants.COORDINATOR_USER);
        Channel channel = coordinator.createChannel();
        Connection controlPlane = connect(BrokerGrants.CONTROL_PLANE_USER)) {
      // Same names, other arguments would be refused (PRECONDITION_FAILED): what the broker
      // definitions made is what the coordinator declares, and its user may declare it.
      new TopologyDeclarer(TOPOLOGY).declareCoordinator(channel);
      String requestId = "broker-it-" + UUID.randomUUID();
      send(controlPlane, "", TOPOLOGY.requestsQueue(), requestId.getBytes(StandardCharsets.UTF_8));

      GetResponse request = channel.basicGet(TOPOLOGY.requestsQueue(), true);
      assertThat(new String(request.getBody(), StandardCharsets.UTF_8)).isEqualTo(requestId);
    }
  }

  /**
   * The real agent of {@code instance}, under its own broker user, with key pairs of its own and
   * the coordinator's public key; the caller closes it.
   */
  private static AgentDaemon agent(String instance) throws Exception {
    Path state = Files.createDirectories(work.resolve("state-" + instance));
    Path disks = Files.createDirectories(work.resolve("disks-" + instance));
    Path keys = work.resolve("keys-" + instance);
    KeyFiles.generate(keys, instance, KeyAlgorithm.X25519);
    AgentConfig config =
        new AgentConfig(
            broker.uri(BrokerGrants.agentUser(instance), PASSWORD),
            TOPOLOGY.namespace(),
            instance,
            "postgresql://postgres@127.0.0.1:1",
            null,
            PostgresCluster.defaultBinDir(),
            "local",
            Map.of("root", disks.toString()),
            state,
            null,
            1,
            Duration.ofSeconds(1),
            Duration.ofSeconds(1),
            Duration.ofHours(1),
            KeyFiles.privateFile(keys, instance, KeyAlgorithm.X25519),
            List.of(KeyFiles.publicFile(work, COORDINATOR, KeyAlgorithm.ED25519)),
            KeyFiles.publicFile(work, COORDINATOR, KeyAlgorithm.X25519),
            null,
            null);
    return Guice.createInjector(new AgentModule(config)).getInstance(AgentDaemon.class);
  }

  private static PublicKey sealingKey(String instance) {
    return KeyFiles.readKeyPair(
            KeyFiles.privateFile(work.resolve("keys-" + instance), instance, KeyAlgorithm.X25519),
            KeyAlgorithm.X25519)
        .getPublic();
  }

  /** Publishes {@code command} to {@code instance}'s agent, signed with the coordinator's key. */
  private static void sendSigned(Connection connection, String exchange, Envelope<?> command)
      throws Exception {
    MessageSigner signer =
        new MessageSigner(
            KeyFiles.readKeyPair(
                KeyFiles.privateFile(work, COORDINATOR, KeyAlgorithm.ED25519),
                KeyAlgorithm.ED25519),
            Clock.systemUTC(),
            Duration.ofHours(1));
    byte[] body = codec.encode(command);
    Channel channel = connection.createChannel();
    channel.confirmSelect();
    channel.basicPublish(
        exchange,
        command.instanceId(),
        true,
        new AMQP.BasicProperties.Builder().headers(signer.sign(command, body)).build(),
        body);
    channel.waitForConfirmsOrDie(WAIT.toMillis());
    channel.close();
  }

  private static void run(String... arguments) {
    CliRun run =
        CliRun.run(
            Map.of(
                "PGSHUTTLE_BROKER_ADMIN_USER", "guest",
                "PGSHUTTLE_BROKER_ADMIN_PASSWORD", "guest"),
            new FakeBackends(),
            concat(arguments, "--management-url", broker.managementUrl()));
    assertThat(run.exitCode()).as(run.all()).isZero();
    assertThat(run.all()).doesNotContain(PASSWORD);
  }

  private static String[] concat(String[] first, String... more) {
    List<String> all = new ArrayList<>(List.of(first));
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  private static Connection connect(String user) throws Exception {
    return connectTo(broker.uri(user, PASSWORD));
  }

  private static Connection connectTo(String uri) throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(uri);
    return factory.newConnection("broker-permissions-it");
  }

  private static void consume(Connection connection, String queue) throws Exception {
    Channel channel = connection.createChannel();
    channel.basicConsume(queue, false, (tag, delivery) -> {}, tag -> {});
  }

  private static void publish(Connection connection, String exchange, String key, String userId)
      throws Exception {
    Channel channel = connection.createChannel();
    channel.confirmSelect();
    channel.basicPublish(
        exchange,
        key,
        new AMQP.BasicProperties.Builder().userId(userId).build(),
        "{}".getBytes(StandardCharsets.UTF_8));
    channel.waitForConfirmsOrDie(WAIT.toMillis());
    channel.close();
  }

  private static void send(Connection connection, String exchange, String key, byte[] body)
      throws Exception {
    Channel channel = connection.createChannel();
    channel.confirmSelect();
    channel.basicPublish(exchange, key, true, null, body);
    channel.waitForConfirmsOrDie(WAIT.toMillis());
    channel.close();
  }

  private static void assertRefused(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
    assertThatThrownBy(call)
        .satisfies(e -> assertThat(AmqpErrors.replyCode(e)).isEqualTo(AMQP.ACCESS_REFUSED));
  }
}
