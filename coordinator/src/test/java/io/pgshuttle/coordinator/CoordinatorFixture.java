package io.pgshuttle.coordinator;

import com.codahale.metrics.MetricRegistry;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.pgshuttle.coordinator.http.ApiToken;
import io.pgshuttle.coordinator.http.Scope;
import io.pgshuttle.coordinator.status.MigrationState;
import io.pgshuttle.coordinator.status.MigrationStatus;
import io.pgshuttle.coordinator.store.StatusQueries;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.MigrationOptions;
import io.pgshuttle.messages.MigrationRequest;
import io.pgshuttle.messages.Secret;
import io.pgshuttle.messages.TargetServer;
import io.pgshuttle.messages.Topology;
import io.pgshuttle.security.KeyAlgorithm;
import io.pgshuttle.security.KeyFiles;
import io.pgshuttle.testkit.PostgresCluster;
import io.pgshuttle.testkit.TestBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One test's coordinator world: a fresh store database in the class's cluster, a fresh broker
 * namespace, fresh coordinator key pairs and agent key directory, the coordinator daemon, fake
 * agents and event taps. {@link #close()} stops the daemon and deletes the namespace's queues and
 * exchanges.
 */
final class CoordinatorFixture implements AutoCloseable {
  static final Duration DEFAULT_HEARTBEAT_TIMEOUT = Duration.ofSeconds(30);
  static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(200);
  static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(1);
  static final Duration DEFAULT_SWEEP_INTERVAL = Duration.ofHours(1);
  static final Duration COMMAND_VALIDITY = Duration.ofHours(1);

  /** The token {@link ApiClient} sends unless told otherwise. */
  static final ApiToken OPERATE =
      new ApiToken("test-operator", Scope.OPERATE, Secret.of("operate-token-0123456789"));

  /** A token that may only read. */
  static final ApiToken READ =
      new ApiToken("test-reader", Scope.READ, Secret.of("read-token-0123456789"));

  final PostgresCluster cluster;
  final Topology topology;
  final String storeDatabase;
  final MessageCodec codec = new MessageCodec();
  final Path keys;
  final Path agentKeys;
  final KeyPair coordinatorKeys;
  final KeyPair coordinatorEventKeys;
  private final Map<String, KeyPair> registered = new HashMap<>();
  private final Connection connection;
  private final String brokerUser;
  private final Channel channel;
  private final List<String> instances = new ArrayList<>();
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private Injector injector;
  private CoordinatorDaemon daemon;
  private String deadLetterTap;

  CoordinatorFixture(PostgresCluster cluster) throws Exception {
    this.cluster = cluster;
    this.topology = new Topology(TestBroker.freshNamespace());
    this.storeDatabase = "store_" + UUID.randomUUID().toString().replace("-", "");
    this.keys = Files.createTempDirectory("pgshuttle-keys");
    this.agentKeys = keys.resolve("agents");
    this.coordinatorKeys = KeyFiles.generate(keys, "coordinator", KeyAlgorithm.ED25519);
    this.coordinatorEventKeys = KeyFiles.generate(keys, "coordinator", KeyAlgorithm.X25519);
    cluster.execute("postgres", "CREATE DATABASE \"" + storeDatabase + "\"");
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(TestBroker.uri());
    this.connection = factory.newConnection("pgshuttle-coordinator-test");
    this.brokerUser = factory.getUsername();
    this.channel = connection.createChannel();
    channel.confirmSelect();
  }

  CoordinatorConfig config() {
    return config(DEFAULT_HEARTBEAT_TIMEOUT, DEFAULT_INITIAL_BACKOFF, DEFAULT_MAX_BACKOFF);
  }

  CoordinatorConfig config(
      Duration heartbeatTimeout, Duration initialBackoff, Duration maxBackoff) {
    return config(heartbeatTimeout, initialBackoff, maxBackoff, DEFAULT_SWEEP_INTERVAL);
  }

  CoordinatorConfig config(
      Duration heartbeatTimeout,
      Duration initialBackoff,
      Duration maxBackoff,
      Duration sweepInterval) {
    return config(
        heartbeatTimeout, initialBackoff, maxBackoff, sweepInterval, List.of(OPERATE, READ));
  }

  /**
   * The default configuration with {@code apiTokens} instead of {@link #OPERATE} and {@link #READ}.
   */
  CoordinatorConfig config(List<ApiToken> apiTokens) {
    return config(
        DEFAULT_HEARTBEAT_TIMEOUT,
        DEFAULT_INITIAL_BACKOFF,
        DEFAULT_MAX_BACKOFF,
        DEFAULT_SWEEP_INTERVAL,
        apiTokens);
  }

  private CoordinatorConfig config(
      Duration heartbeatTimeout,
      Duration initialBackoff,
      Duration maxBackoff,
      Duration sweepInterval,
      List<ApiToken> apiTokens) {
    return new CoordinatorConfig(
        TestBroker.uri(),
        topology.namespace(),
        cluster.jdbcUrl(storeDatabase),
        PostgresCluster.SUPERUSER,
        null,
        0,
        heartbeatTimeout,
        initialBackoff,
        maxBackoff,
        sweepInterval,
        apiTokens,
        KeyFiles.privateFile(keys, "coordinator", KeyAlgorithm.ED25519),
        List.of(KeyFiles.privateFile(keys, "coordinator", KeyAlgorithm.X25519)),
        agentKeys,
        COMMAND_VALIDITY,
        null);
  }

  /**
   * Generates and registers the X25519 key of an instance's agent, as an operator does before
   * asking for a migration of it; the same key each time for one instance.
   */
  KeyPair registerAgent(String instanceId) {
    return registered.computeIfAbsent(
        instanceId, instance -> KeyFiles.generate(agentKeys, instance, KeyAlgorithm.X25519));
  }

  /**
   * Replaces the registered X25519 key of an instance's agent with a new one, as an operator does
   * when rotating it: a new file moved over the old one.
   */
  KeyPair replaceAgentKey(String instanceId) throws IOException {
    Path staging = Files.createTempDirectory(keys, "replacement");
    KeyPair replacement = KeyFiles.generate(staging, instanceId, KeyAlgorithm.X25519);
    Files.move(
        KeyFiles.publicFile(staging, instanceId, KeyAlgorithm.X25519),
        KeyFiles.publicFile(agentKeys, instanceId, KeyAlgorithm.X25519),
        StandardCopyOption.REPLACE_EXISTING);
    registered.put(instanceId, replacement);
    return replacement;
  }

  /** A wired coordinator that is not started: its parts can be used one by one. */
  Injector wire(CoordinatorConfig config) {
    injector = Guice.createInjector(new CoordinatorModule(config));
    return injector;
  }

  CoordinatorDaemon start() {
    return start(config());
  }

  /** Starts a daemon (a new one after {@link #stop()}), as the CLI does. */
  CoordinatorDaemon start(CoordinatorConfig config) {
    daemon = wire(config).getInstance(CoordinatorDaemon.class);
    daemon.start();
    if (deadLetterTap == null) {
      // The coordinator consumes the dead-letter queue; a queue of our own on the fanout
      // dead-letter exchange sees every dead letter as it went over the wire.
      try {
        deadLetterTap = channel.queueDeclare().getQueue();
        channel.queueBind(deadLetterTap, topology.requestsDeadLetterExchange(), "");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return daemon;
  }

  void stop() {
    if (daemon != null) {
      daemon.close();
    }
  }

  <T> T get(Class<T> type) {
    return injector.getInstance(type);
  }

  long counter(String name) {
    return get(MetricRegistry.class).counter(name).getCount();
  }

  MigrationStatus status(MigrationId id) {
    return get(StatusQueries.class)
        .find(id)
        .orElseThrow(() -> new AssertionError("no migration " + id));
  }

  /** The migration's state, or null while the store does not know it yet. */
  MigrationState state(MigrationId id) {
    return get(StatusQueries.class).find(id).map(MigrationStatus::state).orElse(null);
  }

  /** The migration's current attempt, or -1 while the store does not know it yet. */
  int attempt(MigrationId id) {
    return get(StatusQueries.class).find(id).map(MigrationStatus::attempt).orElse(-1);
  }

  FakeAgent agent(String instanceId) throws Exception {
    instances.add(instanceId);
    FakeAgent agent =
        new FakeAgent(
            connection,
            brokerUser,
            topology,
            instanceId,
            codec,
            registerAgent(instanceId),
            coordinatorKeys.getPublic(),
            coordinatorEventKeys.getPublic());
    closeables.add(agent);
    return agent;
  }

  EventTap tap() throws Exception {
    EventTap tap = new EventTap(connection, topology, codec);
    closeables.add(tap);
    return tap;
  }

  static MigrationRequest request(String requestId, String instanceId, String password) {
    return request(requestId, instanceId, password, 3);
  }

  static MigrationRequest request(
      String requestId, String instanceId, String password, int maxAttempts) {
    return new MigrationRequest(
        requestId,
        instanceId,
        List.of("app", "Ledger ü"),
        new TargetServer("target.example", 5432, "admin", Secret.of(password), null),
        new MigrationOptions(3, maxAttempts, null, null));
  }

  /**
   * Publishes a request to the requests queue the way a control plane does, once the instance's
   * agent keys are registered.
   */
  void publishRequest(MigrationRequest request) throws Exception {
    registerAgent(request.instanceId());
    publishRequest(codec.encode(Envelope.ofRequest(request)));
  }

  void publishRequest(byte[] body) throws Exception {
    AMQP.BasicProperties properties =
        new AMQP.BasicProperties.Builder()
            .contentType("application/json")
            .deliveryMode(2)
            .messageId(UUID.randomUUID().toString())
            .build();
    channel.basicPublish("", topology.requestsQueue(), true, properties, body);
    channel.waitForConfirmsOrDie(5_000);
  }

  /**
   * A queue bound to the commands exchange for {@code instanceId}'s commands that refuses every
   * message, so the broker nacks each command to that instance (a full queue with reject-publish,
   * as a real broker does under a length limit). Remove it with {@link #deleteQueue}.
   */
  String declareRefusingQueue(String instanceId) throws Exception {
    String queue = topology.namespace() + ".refusing." + instanceId;
    channel.queueDeclare(
        queue, false, false, false, Map.of("x-max-length", 0, "x-overflow", "reject-publish"));
    channel.queueBind(queue, topology.commandsExchange(), instanceId);
    return queue;
  }

  void deleteQueue(String queue) throws Exception {
    channel.queueDelete(queue);
  }

  /** Declares a classic queue named {@code queue}, as someone unaware of pgshuttle might. */
  void declareClassicQueue(String queue) throws Exception {
    channel.queueDeclare(queue, true, false, false, Map.of());
  }

  /** The consumers of {@code queue}, or -1 while it does not exist. */
  int consumers(String queue) throws Exception {
    return TestBroker.consumers(connection, queue);
  }

  void deleteExchange(String exchange) throws Exception {
    channel.exchangeDelete(exchange);
  }

  /**
   * The next dead letter as published to the dead-letter exchange, waiting up to {@code timeout}.
   */
  GetResponse awaitDeadLetter(Duration timeout) throws Exception {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      GetResponse response = channel.basicGet(deadLetterTap, true);
      if (response != null) {
        return response;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no dead letter within " + timeout);
  }

  /** Dead letters published since the last {@link #awaitDeadLetter}. */
  long deadLetterCount() throws Exception {
    return channel.messageCount(deadLetterTap);
  }

  /**
   * Publishes {@code request}, password and all, to the dead-letter exchange with the headers the
   * broker gives a message it dead-letters at the requests queue's delivery limit.
   */
  void publishDeadLetterAsTheBroker(MigrationRequest request, String messageId) throws Exception {
    Map<String, Object> death = new HashMap<>();
    death.put("count", (long) Topology.REQUEST_DELIVERY_LIMIT + 1);
    death.put("reason", "delivery_limit");
    death.put("queue", topology.requestsQueue());
    death.put("exchange", "");
    death.put("routing-keys", List.of(topology.requestsQueue()));
    death.put("time", new Date());
    Map<String, Object> headers = new HashMap<>();
    headers.put("x-death", List.of(death));
    headers.put("x-first-death-reason", "delivery_limit");
    headers.put("x-first-death-queue", topology.requestsQueue());
    AMQP.BasicProperties properties =
        new AMQP.BasicProperties.Builder()
            .contentType("application/json")
            .deliveryMode(2)
            .messageId(messageId)
            .headers(headers)
            .build();
    channel.basicPublish(
        topology.requestsDeadLetterExchange(),
        topology.requestsQueue(),
        true,
        properties,
        codec.encode(Envelope.ofRequest(request)));
    channel.waitForConfirmsOrDie(5_000);
  }

  /** Requests waiting in the requests queue, ready or delivered and not yet acknowledged. */
  long requestsWaiting() throws Exception {
    return channel.messageCount(topology.requestsQueue());
  }

  /** Messages ready in the dead-letter queue the coordinator consumes. */
  long deadLetterQueueDepth() throws Exception {
    return channel.messageCount(topology.requestsDeadLetterQueue());
  }

  /** The first column of a one-row query on the store (its tables are in schema pgshuttle). */
  String storeValue(String sql) {
    return cluster.queryValue(storeDatabase, sql);
  }

  /** How many tables of the store hold {@code text} anywhere in a row: a search for a secret. */
  long storeTextContaining(String text) {
    return Long.parseLong(
        storeValue(
            "SELECT count(*) FROM information_schema.tables t, LATERAL (SELECT"
                + " query_to_xml(format('SELECT * FROM %I.%I', t.table_schema, t.table_name),"
                + " true, false, '')::text AS x) rows WHERE t.table_schema = 'pgshuttle'"
                + " AND strpos(rows.x, '"
                + text.replace("'", "''")
                + "') > 0"));
  }

  @Override
  public void close() throws Exception {
    stop();
    for (AutoCloseable closeable : closeables) {
      closeable.close();
    }
    connection.close();
    try (var files = Files.walk(keys)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
    List<String> queues =
        new ArrayList<>(
            List.of(
                topology.requestsQueue(),
                topology.requestsDeadLetterQueue(),
                topology.coordinatorEventsQueue()));
    for (String instance : instances) {
      queues.add(topology.agentQueue(instance));
      queues.add(topology.agentControlQueue(instance));
    }
    TestBroker.delete(
        queues,
        List.of(
            topology.eventsExchange(),
            topology.commandsExchange(),
            topology.controlExchange(),
            topology.requestsDeadLetterExchange()));
  }
}
