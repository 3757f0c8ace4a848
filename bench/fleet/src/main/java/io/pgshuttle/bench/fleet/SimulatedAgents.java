package io.pgshuttle.bench.fleet;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.pgshuttle.amqp.TopologyDeclarer;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MessageDecodingException;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.MigrationSucceeded;
import io.pgshuttle.messages.StartMigration;
import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.StepProgress;
import io.pgshuttle.messages.StepStarted;
import io.pgshuttle.messages.StepSucceeded;
import io.pgshuttle.messages.Topology;
import io.pgshuttle.security.EventMacKey;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many agents in one process: each instance has its real command queue (quorum, single active
 * consumer, bound to the commands exchange), consumed from a small pool of channels; each
 * StartMigration is answered by a few emitter threads with a migration's worth of events (see
 * {@link #events}), published in order with confirms to the events exchange under the agent's
 * routing key, signed, as the agent's outbox relay does (their bytes as MessageCodec writes them,
 * see {@link EventEncoder}). The control queues are not declared: nothing here cancels or sweeps.
 * Thread-safe.
 */
final class SimulatedAgents implements AutoCloseable {
  private final AMQP.BasicProperties persistent;
  private final Connection connection;
  private final Topology topology;
  private final MessageCodec codec;
  private final List<String> instances;
  private final EventEncoder encoder;
  private final Map<MigrationId, Long> publishedAt;
  private final List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
  private final AtomicLong commands = new AtomicLong();
  private final AtomicLong eventBytes = new AtomicLong();
  private final BlockingQueue<Envelope<StartMigration>> work = new LinkedBlockingQueue<>();
  private final List<Channel> consumerChannels = new ArrayList<>();
  private final List<ConfirmWindow> publishers = new ArrayList<>();
  private final Map<String, EventMacKey> eventKeys;
  private final List<Thread> emitters = new ArrayList<>();

  /**
   * @param publishedAt when each request was published (System.nanoTime), filled by the caller; the
   *     delivery of its command records the latency
   * @param brokerUser the user {@code connection} authenticated as: the user-id of every event, as
   *     the coordinator takes events only from their agent's user or its own
   * @param eventKeys each instance's event key, which MACs its events as an agent does (the
   *     simulated agents share one X25519 key pair, which the coordinator holds under each
   *     instance's name)
   */
  SimulatedAgents(
      Connection connection,
      String brokerUser,
      Topology topology,
      MessageCodec codec,
      List<String> instances,
      int eventsPerMigration,
      String padding,
      Map<MigrationId, Long> publishedAt,
      Map<String, EventMacKey> eventKeys) {
    this.persistent =
        new AMQP.BasicProperties.Builder()
            .contentType("application/json")
            .deliveryMode(2)
            .userId(brokerUser)
            .build();
    this.connection = connection;
    this.eventKeys = Map.copyOf(eventKeys);
    this.topology = topology;
    this.codec = codec;
    this.instances = List.copyOf(instances);
    this.encoder = new EventEncoder(events(eventsPerMigration, padding));
    this.publishedAt = publishedAt;
  }

  /** Declares every agent's command queue, several at once, each declare waited for. */
  void declare(int parallel) throws Exception {
    try (Channel channel = connection.createChannel()) {
      new TopologyDeclarer(topology).declareShared(channel);
    }
    forEachInstance(
        parallel,
        (channel, instance) -> {
          String queue = topology.agentQueue(instance);
          channel.queueDeclare(queue, true, false, false, topology.agentQueueArguments());
          channel.queueBind(queue, topology.commandsExchange(), instance);
        });
  }

  /** Deletes the command queues {@link #declare} made. */
  void delete(int parallel) throws Exception {
    forEachInstance(
        parallel, (channel, instance) -> channel.queueDelete(topology.agentQueue(instance)));
  }

  /** Starts consuming on {@code channels} channels and emitting on {@code emitterCount} threads. */
  void start(int channels, int emitterCount, int confirmWindow) throws IOException {
    for (int i = 0; i < channels; i++) {
      Channel channel = connection.createChannel();
      channel.basicQos(100);
      consumerChannels.add(channel);
    }
    for (int i = 0; i < instances.size(); i++) {
      Channel channel = consumerChannels.get(i % channels);
      channel.basicConsume(
          topology.agentQueue(instances.get(i)),
          false,
          (tag, delivery) -> {
            long now = System.nanoTime();
            Envelope<StartMigration> command;
            try {
              command = codec.decode(delivery.getBody(), StartMigration.class);
            } catch (MessageDecodingException e) {
              System.err.println("a simulated agent got an undecodable command: " + e);
              channel.basicAck(delivery.getEnvelope().getDeliveryTag(), false);
              return;
            }
            Long sent = publishedAt.remove(command.migrationId());
            if (sent != null) {
              latencies.add(now - sent);
            }
            commands.incrementAndGet();
            work.add(command);
            // The real agent acks once the command is journalled; here, once it is taken.
            channel.basicAck(delivery.getEnvelope().getDeliveryTag(), false);
          },
          tag -> {});
    }
    for (int i = 0; i < emitterCount; i++) {
      ConfirmWindow publisher = new ConfirmWindow(connection, confirmWindow);
      publishers.add(publisher);
      Thread emitter = new Thread(() -> emit(publisher), "bench-agent-emitter-" + i);
      emitter.setDaemon(true);
      emitter.start();
      emitters.add(emitter);
    }
  }

  private void emit(ConfirmWindow publisher) {
    try {
      while (!Thread.currentThread().isInterrupted()) {
        Envelope<StartMigration> command = work.take();
        String instance = command.payload().instanceId();
        EventMacKey eventKey = eventKeys.get(instance);
        EventEncoder.Migration migration =
            encoder.migration(instance, command.migrationId(), command.attempt());
        List<Event> events = encoder.events();
        for (int i = 0; i < events.size(); i++) {
          Envelope<Event> envelope =
              Envelope.of(instance, command.migrationId(), command.attempt(), i + 1, events.get(i));
          byte[] body = migration.encode(envelope, i);
          eventBytes.addAndGet(body.length);
          publisher.publish(
              topology.eventsExchange(),
              topology.eventRoutingKey(instance, command.migrationId(), envelope.type()),
              persistent.builder().headers(eventKey.authenticate(envelope, body)).build(),
              body);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException e) {
      System.err.println("a simulated agent's emitter stopped: " + e);
    }
  }

  /**
   * A successful attempt as an agent reports it: StepStarted and StepSucceeded for each of the 8
   * steps, StepProgress during DUMP, RESTORE and VERIFY (round robin, as many as {@code count}
   * leaves room for), then MigrationSucceeded. {@code count} is at least 17. {@code padding} is
   * appended to every free text (progress detail, step summary, verification), to bring the mean
   * event to the size PerfTest is measured with.
   */
  static List<Event> events(int count, String padding) {
    Step[] steps = Step.values();
    Step[] long_ = {Step.DUMP, Step.RESTORE, Step.VERIFY};
    int progress = count - 2 * steps.length - 1;
    int[] progressPerStep = new int[steps.length];
    for (int i = 0; i < progress; i++) {
      progressPerStep[long_[i % long_.length].ordinal()]++;
    }
    List<Event> events = new ArrayList<>(count);
    for (Step step : steps) {
      events.add(new StepStarted(step));
      int n = progressPerStep[step.ordinal()];
      for (int i = 1; i <= n; i++) {
        double percent = 100.0 * i / (n + 1);
        long total = 4_294_967_296L;
        events.add(
            new StepProgress(
                step,
                percent,
                (long) (total * percent / 100),
                total,
                i * 12 / (n + 1),
                12,
                "public.orders_2026_"
                    + i
                    + ": "
                    + (long) (total * percent / 100)
                    + " bytes"
                    + padding));
      }
      events.add(
          new StepSucceeded(
              step,
              1000L + step.ordinal() * 137,
              step.name().toLowerCase() + " done: 2 databases" + padding));
    }
    events.add(
        new MigrationSucceeded(
            List.of("app", "ledger"),
            "2 databases, 24 tables: row counts and checksums equal; 3 sequences, 1 large object"
                + padding));
    return events;
  }

  long commandsDelivered() {
    return commands.get();
  }

  /** Events the broker confirmed. */
  long eventsConfirmed() {
    return publishers.stream().mapToLong(ConfirmWindow::confirmed).sum();
  }

  long eventsRefused() {
    return publishers.stream().mapToLong(ConfirmWindow::refused).sum();
  }

  long eventBytes() {
    return eventBytes.get();
  }

  /** Takes the latencies (nanoseconds) recorded so far, and forgets them. */
  long[] takeLatencies() {
    synchronized (latencies) {
      long[] taken = latencies.stream().mapToLong(Long::longValue).toArray();
      latencies.clear();
      return taken;
    }
  }

  /** True once the emitters have nothing queued and every event is confirmed or refused. */
  boolean idle() {
    return work.isEmpty();
  }

  boolean awaitSettled(long millis) throws InterruptedException {
    for (ConfirmWindow publisher : publishers) {
      if (!publisher.awaitSettled(millis)) {
        return false;
      }
    }
    return true;
  }

  @FunctionalInterface
  private interface InstanceAction {
    void run(Channel channel, String instance) throws IOException;
  }

  private void forEachInstance(int parallel, InstanceAction action) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(parallel);
    try {
      List<Future<?>> parts = new ArrayList<>();
      for (int p = 0; p < parallel; p++) {
        int part = p;
        parts.add(
            pool.submit(
                () -> {
                  try (Channel channel = connection.createChannel()) {
                    for (int i = part; i < instances.size(); i += parallel) {
                      action.run(channel, instances.get(i));
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> part : parts) {
        part.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Override
  public void close() throws Exception {
    emitters.forEach(Thread::interrupt);
    for (ConfirmWindow publisher : publishers) {
      publisher.close();
    }
    for (Channel channel : consumerChannels) {
      if (channel.isOpen()) {
        channel.close();
      }
    }
  }
}
