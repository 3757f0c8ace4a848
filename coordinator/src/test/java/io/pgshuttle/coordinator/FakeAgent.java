package io.pgshuttle.coordinator;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.pgshuttle.amqp.ConfirmingPublisher;
import io.pgshuttle.amqp.TopologyDeclarer;
import io.pgshuttle.messages.CancelMigration;
import io.pgshuttle.messages.Command;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.StartMigration;
import io.pgshuttle.messages.SweepLeftovers;
import io.pgshuttle.messages.Topology;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Plays an agent on the wire: owns the instance's queues, reads commands and control messages,
 * publishes events.
 */
final class FakeAgent implements AutoCloseable {
  private final Topology topology;
  private final String instanceId;
  private final MessageCodec codec;
  private final Channel channel;
  private final ConfirmingPublisher publisher;
  private final Connection connection;
  private final BlockingQueue<byte[]> commands = new LinkedBlockingQueue<>();
  private final BlockingQueue<byte[]> controls = new LinkedBlockingQueue<>();

  FakeAgent(
      Connection connection,
      String brokerUser,
      Topology topology,
      String instanceId,
      MessageCodec codec)
      throws Exception {
    this.topology = topology;
    this.instanceId = instanceId;
    this.codec = codec;
    this.connection = connection;
    this.channel = connection.createChannel();
    new TopologyDeclarer(topology).declareAgent(channel, instanceId);
    // A quorum queue with a single active consumer refuses basic.get: consume, as the agent does.
    channel.basicConsume(
        topology.agentQueue(instanceId),
        true,
        (tag, delivery) -> commands.add(delivery.getBody()),
        tag -> {});
    channel.basicConsume(
        topology.agentControlQueue(instanceId),
        true,
        (tag, delivery) -> controls.add(delivery.getBody()),
        tag -> {});
    // Events carry the user-id the coordinator checks, as the agent's do.
    this.publisher = new ConfirmingPublisher(connection, codec, Duration.ofSeconds(5), brokerUser);
  }

  String instanceId() {
    return instanceId;
  }

  /** The next command on the agent's queue, waiting up to {@code timeout}. */
  Envelope<StartMigration> awaitCommand(Duration timeout) throws Exception {
    byte[] command = commands.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (command == null) {
      throw new AssertionError("no command for " + instanceId + " within " + timeout);
    }
    return codec.decode(command, StartMigration.class);
  }

  /** Commands received and not yet taken by {@link #awaitCommand}. */
  int unreadCommands() {
    return commands.size();
  }

  /**
   * The next message on the agent's control queue, a CancelMigration, waiting up to {@code
   * timeout}.
   */
  Envelope<CancelMigration> awaitCancel(Duration timeout) throws Exception {
    return awaitControl(CancelMigration.class, timeout);
  }

  /** The next message on the agent's control queue, a SweepLeftovers. */
  Envelope<SweepLeftovers> awaitSweep(Duration timeout) throws Exception {
    return awaitControl(SweepLeftovers.class, timeout);
  }

  private <P extends Command> Envelope<P> awaitControl(Class<P> type, Duration timeout)
      throws Exception {
    byte[] control = controls.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (control == null) {
      throw new AssertionError("no control message for " + instanceId + " within " + timeout);
    }
    return codec.decode(control, type);
  }

  /** Control messages received and not yet taken by {@link #awaitCancel} or {@link #awaitSweep}. */
  int unreadControls() {
    return controls.size();
  }

  /** Deletes the control queue, as when the agent is gone for good. */
  void deleteControlQueue() throws Exception {
    channel.queueDelete(topology.agentControlQueue(instanceId));
  }

  /** Publishes an event stamped now. */
  Envelope<Event> emit(MigrationId migrationId, int attempt, long seq, Event event) {
    return emit(migrationId, attempt, seq, Instant.now(), event);
  }

  Envelope<Event> emit(MigrationId migrationId, int attempt, long seq, Instant at, Event event) {
    Envelope<Event> envelope =
        new Envelope<>(UUID.randomUUID(), instanceId, migrationId, attempt, seq, at, event);
    emit(envelope);
    return envelope;
  }

  /** Publishes {@code envelope} as it is, such as a second time. */
  void emit(Envelope<Event> envelope) {
    emit(publisher, envelope);
  }

  /** Publishes {@code envelope} without a user-id, as a publisher that says not who it is. */
  void emitWithoutUserId(Envelope<Event> envelope) {
    try (ConfirmingPublisher anonymous =
        new ConfirmingPublisher(connection, codec, Duration.ofSeconds(5))) {
      emit(anonymous, envelope);
    }
  }

  private void emit(ConfirmingPublisher through, Envelope<Event> envelope) {
    through.publish(
        topology.eventsExchange(),
        topology.eventRoutingKey(instanceId, envelope.migrationId(), envelope.type()),
        envelope,
        false,
        Map.of());
  }

  @Override
  public void close() throws Exception {
    publisher.close();
    if (channel.isOpen()) {
      channel.close();
    }
  }
}
