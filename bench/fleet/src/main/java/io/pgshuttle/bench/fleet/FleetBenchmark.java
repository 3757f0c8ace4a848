package io.pgshuttle.bench.fleet;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.pgshuttle.coordinator.CoordinatorConfig;
import io.pgshuttle.coordinator.CoordinatorDaemon;
import io.pgshuttle.coordinator.CoordinatorMetrics;
import io.pgshuttle.coordinator.CoordinatorModule;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.MigrationOptions;
import io.pgshuttle.messages.MigrationRequest;
import io.pgshuttle.messages.Secret;
import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.TargetServer;
import io.pgshuttle.messages.Topology;
import io.pgshuttle.security.EventMacKey;
import io.pgshuttle.security.KeyAlgorithm;
import io.pgshuttle.security.KeyFiles;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * The fleet benchmark (bench/fleet.sh runs it): RabbitMQ's PerfTest on the broker, then a real
 * coordinator, in this JVM, on the given store, with {@code --migrations} simulated agents (see
 * {@link SimulatedAgents}); warm-up migrations before the clock; N requests at once and the time
 * until every migration is SUCCEEDED and every event stored (throughput), then requests at a fixed
 * rate and the time from a request's publish to its command's delivery (latency), then the heap;
 * once the agents' queues are deleted, PerfTest again (the reference is the mean of the two runs).
 * Prints a table on stdout. Runs on the main thread; everything it starts is stopped and its queues
 * deleted before it returns.
 */
public final class FleetBenchmark {
  private static final long COORDINATOR_SEQ_FLOOR = Envelope.COORDINATOR_MIGRATION_CANCELLED_SEQ;

  /** The settings, from {@code --name value} arguments (see bench/fleet.sh). */
  record Settings(
      String amqpUri,
      String namespace,
      String storeUrl,
      String storeUser,
      int migrations,
      int warmupMigrations,
      int eventsPerMigration,
      int rate,
      int messageSize,
      int latencySeconds,
      int perfTestSeconds,
      int timeoutSeconds,
      Path work) {

    static Settings parse(String[] args) {
      Map<String, String> values = new HashMap<>();
      for (int i = 0; i + 1 < args.length; i += 2) {
        if (!args[i].startsWith("--")) {
          throw new IllegalArgumentException("expected --name value, got " + args[i]);
        }
        values.put(args[i].substring(2), args[i + 1]);
      }
      Settings settings =
          new Settings(
              required(values, "amqp-uri"),
              values.getOrDefault("namespace", "pgshuttle-fleet"),
              required(values, "store-url"),
              values.getOrDefault("store-user", "postgres"),
              Integer.parseInt(values.getOrDefault("migrations", "10000")),
              Integer.parseInt(values.getOrDefault("warmup-migrations", "1000")),
              Integer.parseInt(values.getOrDefault("events-per-migration", "20")),
              Integer.parseInt(values.getOrDefault("rate", "200")),
              Integer.parseInt(values.getOrDefault("message-size", "500")),
              Integer.parseInt(values.getOrDefault("latency-seconds", "20")),
              Integer.parseInt(values.getOrDefault("perftest-seconds", "30")),
              Integer.parseInt(values.getOrDefault("timeout-seconds", "1800")),
              Path.of(values.getOrDefault("work", System.getProperty("java.io.tmpdir"))));
      if (settings.warmupMigrations < 0 || settings.warmupMigrations > settings.migrations) {
        throw new IllegalArgumentException(
            "--warmup-migrations must be between 0 and --migrations (" + settings.migrations + ")");
      }
      if (settings.eventsPerMigration < 17) {
        throw new IllegalArgumentException(
            "--events-per-migration must be at least 17: 8 steps started and succeeded, 1 end");
      }
      return settings;
    }

    private static String required(Map<String, String> values, String name) {
      String value = values.get(name);
      if (value == null) {
        throw new IllegalArgumentException("--" + name + " is required");
      }
      return value;
    }
  }

  private final Settings settings;
  private final Topology topology;
  private final MessageCodec codec = new MessageCodec();
  private final Map<MigrationId, Long> publishedAt = new ConcurrentHashMap<>();
  private final Path keysDirectory;

  FleetBenchmark(Settings settings) {
    this.settings = settings;
    this.topology = new Topology(settings.namespace());
    this.keysDirectory = settings.work().resolve("keys-" + UUID.randomUUID());
  }

  public static void main(String[] args) throws Exception {
    new FleetBenchmark(Settings.parse(args)).run();
    // The client's and the coordinator's non-daemon threads are closed; exit even if one lingers.
    System.exit(0);
  }

  private static void say(String format, Object... args) {
    System.err.printf("==> " + format + "%n", args);
  }

  void run() throws Exception {
    int agents = settings.migrations();
    List<String> instances = new ArrayList<>(agents);
    for (int i = 0; i < agents; i++) {
      instances.add(String.format("fleet-vm-%05d", i));
    }
    Map<String, EventMacKey> eventKeys = registerFleetKeys(instances);
    String padding = padding(instances.get(0));
    int eventSize = meanEventSize(instances.get(0), padding);

    PerfTestRun.Rates perfBefore = perfTest("before", eventSize);

    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(settings.amqpUri());
    try (Connection connection = factory.newConnection("pgshuttle-bench-fleet")) {
      SimulatedAgents fleet =
          new SimulatedAgents(
              connection,
              factory.getUsername(),
              topology,
              codec,
              instances,
              settings.eventsPerMigration(),
              padding,
              publishedAt,
              eventKeys);
      RunningCoordinator coordinator = null;
      Throughput throughput;
      Latency latency;
      Heap heap;
      try {
        // The coordinator connects first: while a broker creates thousands of quorum queues,
        // new connections can wait longer than their handshake timeout.
        coordinator = startCoordinator();
        long declareStart = System.nanoTime();
        fleet.declare(8);
        say(
            "declared %d agent queues in %.1f s",
            agents, seconds(System.nanoTime() - declareStart));
        fleet.start(4, 4, 500);
        Done warmedUp = warmUp(connection, fleet, instances, coordinator.metrics());
        throughput = throughput(connection, fleet, instances, coordinator.metrics(), warmedUp);
        latency = latency(connection, fleet, instances, coordinator.metrics());
        heap = heap();
      } finally {
        if (coordinator != null) {
          coordinator.daemon().close();
        }
        fleet.close();
        say("deleting the agent queues");
        fleet.delete(8);
        deleteCoordinatorTopology(connection);
      }
      // Again once the broker is as the first run found it (right after the throughput phase, its
      // new connections waited past the handshake timeout): the machine has slower and faster
      // spells, and one reference minutes away from the coordinator's run can miss by a third.
      PerfTestRun.Rates perfAfter = perfTest("after", eventSize);
      print(perfBefore, perfAfter, eventSize, throughput, latency, heap);
    }
  }

  /** Runs PerfTest on a queue of its own, which it then deletes; {@code when} names the run. */
  private PerfTestRun.Rates perfTest(String when, int eventSize) throws Exception {
    say(
        "PerfTest (%s): %d s, 1 producer, 1 consumer, quorum queue, persistent %d-byte messages,"
            + " confirms (window 200), qos 200",
        when, settings.perfTestSeconds(), eventSize);
    String queue = settings.namespace() + ".perftest-" + when;
    PerfTestRun.Rates rates =
        new PerfTestRun(
                settings.amqpUri(),
                queue,
                eventSize,
                settings.perfTestSeconds(),
                settings.work().resolve("perftest-" + when + ".log"))
            .run();
    say("PerfTest (%s): sent %d msg/s, received %d msg/s", when, rates.sent(), rates.received());
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(settings.amqpUri());
    try (Connection connection = factory.newConnection("pgshuttle-bench-fleet-perftest");
        Channel channel = connection.createChannel()) {
      channel.queueDelete(queue);
    }
    return rates;
  }

  /**
   * Text that brings the mean event to {@code --message-size} bytes, so that the coordinator and
   * PerfTest move messages of the same size; empty when events are that large already.
   */
  private String padding(String instance) {
    int count = settings.eventsPerMigration();
    int missing = settings.messageSize() - meanEventSize(instance, "");
    // StepStarted has no free text: the other events carry the padding.
    int perEvent = Math.max(0, missing * count / (count - Step.values().length));
    return " " + "x".repeat(Math.max(0, perEvent - 1));
  }

  private int meanEventSize(String instance, String padding) {
    MigrationId id = MigrationId.forRequest("size-probe");
    long bytes = 0;
    List<io.pgshuttle.messages.Event> events =
        SimulatedAgents.events(settings.eventsPerMigration(), padding);
    long seq = 1;
    for (io.pgshuttle.messages.Event event : events) {
      bytes += codec.encode(Envelope.of(instance, id, 1, seq++, event)).length;
    }
    return (int) (bytes / events.size());
  }

  /**
   * Makes the coordinator's key pairs and one X25519 pair for the whole simulated fleet, registered
   * under every instance's name, as {@code pgshuttle keys} would per agent; and each instance's
   * event key, agreed as an agent agrees it when it starts (on its own VM, so before the clock).
   *
   * @return each instance's event key
   */
  private Map<String, EventMacKey> registerFleetKeys(List<String> instances) {
    KeyFiles.generate(keys(), "coordinator", KeyAlgorithm.ED25519);
    PublicKey coordinator =
        KeyFiles.generate(keys(), "coordinator", KeyAlgorithm.X25519).getPublic();
    KeyPair sealing = KeyFiles.generate(keys(), "fleet", KeyAlgorithm.X25519);
    Map<String, EventMacKey> eventKeys = new HashMap<>();
    for (String instance : instances) {
      KeyFiles.writePublic(
          KeyFiles.publicFile(agentKeys(), instance, KeyAlgorithm.X25519), sealing.getPublic());
      eventKeys.put(instance, EventMacKey.forAgent(sealing, coordinator, instance));
    }
    return eventKeys;
  }

  /** Fresh for each run, so that keys of an earlier run never stand in the way. */
  private Path keys() {
    return keysDirectory;
  }

  private Path agentKeys() {
    return keys().resolve("agents");
  }

  /** The coordinator in this JVM, and its counters, which tell when the store is worth asking. */
  private record RunningCoordinator(CoordinatorDaemon daemon, CoordinatorMetrics metrics) {}

  private RunningCoordinator startCoordinator() {
    CoordinatorConfig config =
        new CoordinatorConfig(
            settings.amqpUri(),
            settings.namespace(),
            settings.storeUrl(),
            settings.storeUser(),
            null,
            0,
            // No attempt may be failed for silence while the fleet waits its turn in the queue.
            Duration.ofHours(1),
            Duration.ofSeconds(1),
            Duration.ofSeconds(10),
            Duration.ofHours(24),
            // The benchmark reads the coordinator in this JVM, never over HTTP.
            List.of(),
            KeyFiles.privateFile(keys(), "coordinator", KeyAlgorithm.ED25519),
            List.of(KeyFiles.privateFile(keys(), "coordinator", KeyAlgorithm.X25519)),
            agentKeys(),
            Duration.ofHours(1),
            null);
    Injector injector = Guice.createInjector(new CoordinatorModule(config));
    CoordinatorDaemon daemon = injector.getInstance(CoordinatorDaemon.class);
    daemon.start();
    say("coordinator running in this JVM");
    return new RunningCoordinator(daemon, injector.getInstance(CoordinatorMetrics.class));
  }

  /**
   * @param commandSeconds from the first request to the last command delivered, NaN if not all were
   */
  record Throughput(
      double seconds,
      double commandSeconds,
      long requests,
      long succeeded,
      long eventsPublished,
      long eventsStored) {
    double eventsPerSecond() {
      return eventsStored / seconds;
    }
  }

  /** What the fleet and the store have done so far: the warm-up's share of every count. */
  record Done(long succeeded, long eventsStored, long commandsDelivered, long eventsConfirmed) {}

  /**
   * Runs {@code --warmup-migrations} migrations through the coordinator and the agents before the
   * clock, each to one of the first instances, so the throughput phase meets compiled code, as a
   * coordinator of a fleet, running for days, does; returns what they left in the counts.
   */
  private Done warmUp(
      Connection connection,
      SimulatedAgents fleet,
      List<String> instances,
      CoordinatorMetrics metrics)
      throws Exception {
    int w = settings.warmupMigrations();
    if (w == 0) {
      return new Done(0, 0, 0, 0);
    }
    long start = System.nanoTime();
    long events = (long) w * settings.eventsPerMigration();
    try (ConfirmWindow requests = new ConfirmWindow(connection, 500)) {
      for (int i = 0; i < w; i++) {
        EncodedRequest request = encode(request("fleet-warmup-" + i, instances.get(i)));
        requests.publish("", topology.requestsQueue(), request.properties(), request.body());
      }
      requests.awaitSettled(60_000);
    }
    long deadline = start + Duration.ofSeconds(settings.timeoutSeconds()).toNanos();
    try (java.sql.Connection store = store()) {
      while (!counted(metrics, w, events) || succeeded(store) < w || eventsStored(store) < events) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "the warm-up's " + w + " migrations did not all succeed within the timeout");
        }
        Thread.sleep(50);
      }
      fleet.awaitSettled(10_000);
      say(
          "warm-up: %d migrations before the clock, in %.1f s",
          w, seconds(System.nanoTime() - start));
      return new Done(
          succeeded(store),
          eventsStored(store),
          fleet.commandsDelivered(),
          fleet.eventsConfirmed());
    }
  }

  private Throughput throughput(
      Connection connection,
      SimulatedAgents fleet,
      List<String> instances,
      CoordinatorMetrics metrics,
      Done warmedUp)
      throws Exception {
    int n = settings.migrations();
    say("throughput: %d requests at once, %d events each", n, settings.eventsPerMigration());
    // Encoded before the clock, as N clients would each encode their own.
    List<EncodedRequest> encoded = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      encoded.add(encode(request("fleet-" + i, instances.get(i))));
    }
    long start = System.nanoTime();
    try (ConfirmWindow requests = new ConfirmWindow(connection, 500)) {
      for (EncodedRequest request : encoded) {
        requests.publish("", topology.requestsQueue(), request.properties(), request.body());
      }
      requests.awaitSettled(60_000);
    }
    // The counts go on from the warm-up's.
    long expectedSucceeded = warmedUp.succeeded() + n;
    long expectedEvents = warmedUp.eventsStored() + (long) n * settings.eventsPerMigration();
    long deadline = start + Duration.ofSeconds(settings.timeoutSeconds()).toNanos();
    long succeeded = 0;
    long stored = 0;
    long lastReport = 0;
    double commandSeconds = Double.NaN;
    // The store is asked only once the coordinator's counters say the work is done, or for a
    // report: counting its rows five times a second took about 3 s of store CPU from a run.
    try (java.sql.Connection store = store()) {
      while (true) {
        long now = System.nanoTime();
        if (Double.isNaN(commandSeconds)
            && fleet.commandsDelivered() >= warmedUp.commandsDelivered() + n) {
          commandSeconds = seconds(now - start);
        }
        boolean report = now - lastReport > 10_000_000_000L;
        if (report || counted(metrics, expectedSucceeded, expectedEvents)) {
          succeeded = succeeded(store);
          stored = eventsStored(store);
          if (succeeded >= expectedSucceeded && stored >= expectedEvents) {
            break;
          }
        }
        if (now > deadline) {
          say("throughput: timed out after %d s", settings.timeoutSeconds());
          break;
        }
        if (report) {
          say(
              "  %.0f s: %d commands delivered, %d events confirmed, %d stored, %d succeeded",
              seconds(now - start),
              fleet.commandsDelivered() - warmedUp.commandsDelivered(),
              fleet.eventsConfirmed() - warmedUp.eventsConfirmed(),
              stored - warmedUp.eventsStored(),
              succeeded - warmedUp.succeeded());
          lastReport = now;
        }
        Thread.sleep(50);
      }
    }
    double took = seconds(System.nanoTime() - start);
    fleet.awaitSettled(10_000);
    return new Throughput(
        took,
        commandSeconds,
        n,
        succeeded - warmedUp.succeeded(),
        fleet.eventsConfirmed() - warmedUp.eventsConfirmed(),
        stored - warmedUp.eventsStored());
  }

  record Latency(int requests, int delivered, double p50, double p95, double p99, double max) {}

  private Latency latency(
      Connection connection,
      SimulatedAgents fleet,
      List<String> instances,
      CoordinatorMetrics metrics)
      throws Exception {
    int count = Math.min(instances.size(), settings.rate() * settings.latencySeconds());
    say("latency: %d requests at %d/s", count, settings.rate());
    fleet.takeLatencies();
    long foldedBefore = metrics.eventsFolded().getCount();
    long interval = 1_000_000_000L / settings.rate();
    long start = System.nanoTime();
    try (ConfirmWindow requests = new ConfirmWindow(connection, 500)) {
      for (int i = 0; i < count; i++) {
        long due = start + i * interval;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        MigrationRequest request = request("fleet-latency-" + i, instances.get(i));
        EncodedRequest encoded = encode(request);
        publishedAt.put(request.migrationId(), System.nanoTime());
        requests.publish("", topology.requestsQueue(), encoded.properties(), encoded.body());
      }
      requests.awaitSettled(60_000);
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!publishedAt.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    long[] nanos = fleet.takeLatencies();
    Arrays.sort(nanos);
    // Let the latency phase's events be folded too, so the coordinator is idle for the heap.
    long expected = foldedBefore + (long) count * settings.eventsPerMigration();
    long foldDeadline = System.nanoTime() + Duration.ofSeconds(300).toNanos();
    while (metrics.eventsFolded().getCount() < expected && System.nanoTime() < foldDeadline) {
      Thread.sleep(200);
    }
    return new Latency(
        count,
        nanos.length,
        percentile(nanos, 0.50),
        percentile(nanos, 0.95),
        percentile(nanos, 0.99),
        nanos.length == 0 ? Double.NaN : nanos[nanos.length - 1] / 1e6);
  }

  private static double percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int index = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
  }

  record Heap(long usedAfterGc, long committed, long max) {}

  private static Heap heap() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    memory.gc();
    MemoryUsage usage = memory.getHeapMemoryUsage();
    return new Heap(usage.getUsed(), usage.getCommitted(), usage.getMax());
  }

  private MigrationRequest request(String requestId, String instance) {
    return new MigrationRequest(
        requestId,
        instance,
        List.of("app", "ledger"),
        new TargetServer("target.example", 5432, "admin", Secret.of("bench-password"), null),
        new MigrationOptions(2, 1, null, null));
  }

  private record EncodedRequest(AMQP.BasicProperties properties, byte[] body) {}

  private EncodedRequest encode(MigrationRequest request) {
    return new EncodedRequest(
        new AMQP.BasicProperties.Builder()
            .contentType("application/json")
            .deliveryMode(2)
            .messageId(request.requestId())
            .build(),
        codec.encode(Envelope.ofRequest(request)));
  }

  /**
   * Whether the coordinator's counters have reached the run's migrations and events. They are
   * counted as the fold applies them, so the store, which the caller then asks, has them or is
   * about to.
   */
  private static boolean counted(CoordinatorMetrics metrics, long migrations, long events) {
    return metrics.attemptsSucceeded().getCount() >= migrations
        && metrics.eventsFolded().getCount() >= events;
  }

  private java.sql.Connection store() throws Exception {
    return DriverManager.getConnection(settings.storeUrl(), settings.storeUser(), null);
  }

  private static long succeeded(java.sql.Connection store) throws Exception {
    return count(store, "SELECT count(*) FROM pgshuttle.migrations WHERE state = 'SUCCEEDED'");
  }

  /** Agents' events stored (the coordinator's own have huge seqs). */
  private static long eventsStored(java.sql.Connection store) throws Exception {
    return count(
        store, "SELECT count(*) FROM pgshuttle.events WHERE seq < " + COORDINATOR_SEQ_FLOOR);
  }

  private static long count(java.sql.Connection store, String query) throws Exception {
    try (Statement statement = store.createStatement();
        ResultSet row = statement.executeQuery(query)) {
      row.next();
      return row.getLong(1);
    }
  }

  private void deleteCoordinatorTopology(Connection connection) throws Exception {
    try (Channel channel = connection.createChannel()) {
      for (String queue :
          List.of(
              topology.requestsQueue(),
              topology.requestsDeadLetterQueue(),
              topology.coordinatorEventsQueue())) {
        channel.queueDelete(queue);
      }
      for (String exchange :
          List.of(
              topology.eventsExchange(),
              topology.commandsExchange(),
              topology.controlExchange(),
              topology.requestsDeadLetterExchange())) {
        channel.exchangeDelete(exchange);
      }
    }
  }

  private void print(
      PerfTestRun.Rates perfBefore,
      PerfTestRun.Rates perfAfter,
      int eventSize,
      Throughput throughput,
      Latency latency,
      Heap heap) {
    double reference = (perfBefore.received() + perfAfter.received()) / 2.0;
    double ratio = throughput.eventsPerSecond() / reference;
    long lost = throughput.eventsPublished() - throughput.eventsStored();
    System.out.printf("%n%-44s %14s%n", "measure", "value");
    System.out.printf("%-44s %14.0f%n", "PerfTest msgs/s (received, mean)", reference);
    System.out.printf(
        "%-44s %14s%n",
        "  before / after the coordinator's run",
        perfBefore.received() + " / " + perfAfter.received());
    System.out.printf(
        "%-44s %14s%n",
        "PerfTest msgs/s (sent, before / after)", perfBefore.sent() + " / " + perfAfter.sent());
    System.out.printf("%-44s %14d%n", "message size (bytes, mean event)", eventSize);
    System.out.printf("%-44s %14d%n", "migrations SUCCEEDED", throughput.succeeded());
    System.out.printf("%-44s %14d%n", "migrations requested", throughput.requests());
    System.out.printf(
        "%-44s %14d%n", "  after a warm-up of (not counted)", settings.warmupMigrations());
    System.out.printf("%-44s %14d%n", "events published (confirmed)", throughput.eventsPublished());
    System.out.printf("%-44s %14d%n", "events stored", throughput.eventsStored());
    System.out.printf("%-44s %14d%n", "lost (published - stored)", lost);
    System.out.printf("%-44s %14.1f%n", "throughput wall time (s)", throughput.seconds());
    System.out.printf(
        "%-44s %14.1f%n", "  all commands delivered after (s)", throughput.commandSeconds());
    System.out.printf(
        "%-44s %14.0f%n",
        "  commands delivered/s", throughput.requests() / throughput.commandSeconds());
    System.out.printf(
        "%-44s %14.0f%n", "coordinator events/s folded", throughput.eventsPerSecond());
    System.out.printf("%-44s %14.2f%n", "  ratio to PerfTest (goal >= 0.50)", ratio);
    System.out.printf(
        "%-44s %14s%n", "latency requests at rate/s", latency.requests() + " @ " + settings.rate());
    System.out.printf("%-44s %14d%n", "  commands delivered", latency.delivered());
    System.out.printf("%-44s %14.1f%n", "  p50 request -> command (ms)", latency.p50());
    System.out.printf("%-44s %14.1f%n", "  p95 request -> command (ms)", latency.p95());
    System.out.printf("%-44s %14.1f%n", "  p99 request -> command (ms, goal < 100)", latency.p99());
    System.out.printf("%-44s %14.1f%n", "  max request -> command (ms)", latency.max());
    System.out.printf("%-44s %14.1f%n", "heap used after GC (MiB)", heap.usedAfterGc() / 1048576.0);
    System.out.printf("%-44s %14.1f%n", "heap committed (MiB)", heap.committed() / 1048576.0);
    System.out.printf("%-44s %14.1f%n", "heap max (MiB)", heap.max() / 1048576.0);
    System.out.printf("%n(heap: one JVM holds the coordinator and the simulated agents)%n");
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }
}
