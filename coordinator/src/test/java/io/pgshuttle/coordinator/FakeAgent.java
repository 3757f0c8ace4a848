package io.pgshuttle.coordinator;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Delivery;
import io.pgshuttle.amqp.ConfirmingPublisher;
import io.pgshuttle.amqp.TopologyDeclarer;
import io.pgshuttle.messages.CancelMigration;
import io.pgshuttle.messages.Command;
import io.pgshuttle.messages.EndedMigration;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.Secret;
import io.pgshuttle.messages.StartMigration;
import io.pgshuttle.messages.SweepLeftovers;
import io.pgshuttle.messages.Topology;
import io.pgshuttle.security.EventMacKey;
import io.pgshuttle.security.MessageVerifier;
import io.pgshuttle.security.SecretSealer;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Plays an agent on the wire: owns the instance's queues, reads commands and control messages (each
 * must carry the coordinator's valid signature), unseals target passwords with its X25519 key,
 * publishes events MACed with the key that X25519 key agrees with the coordinator's, as the agent
 * does.
 */
final class FakeAgent implements AutoCloseable {
  private final Topology topology;
  private final String instanceId;
  private final MessageCodec codec;
  private final Channel channel;
  private final ConfirmingPublisher publisher;
  private final Connection connection;
  private final KeyPair keys;
  private final PublicKey coordinatorEventKey;
  private final EventMacKey eventKey;
  private final MessageVerifier coordinator;
  private final BlockingQueue<Delivery> commands = new LinkedBlockingQueue<>();
  private final BlockingQueue<Delivery> controls = new LinkedBlockingQueue<>();

  /**
   * @param brokerUser the user-id of its events, which the coordinator checks as the agent's
   * @param keys the agent's X25519 pair, as registered with the coordinator
   * @param coordinatorKey the coordinator's Ed25519 public key, which signs commands
   * @param coordinatorEventKey the coordinator's X25519 public key
   */
  FakeAgent(
      Connection connection,
      String brokerUser,
      Topology topology,
      String instanceId,
      MessageCodec codec,
      KeyPair keys,
      PublicKey coordinatorKey,
      PublicKey coordinatorEventKey)
      throws Exception {
    this.topology = topology;
    this.instanceId = instanceId;
    this.codec = codec;
    this.connection = connection;
    this.keys = keys;
    this.coordinatorEventKey = coordinatorEventKey;
    this.eventKey = EventMacKey.forAgent(keys, coordinatorEventKey, instanceId);
    this.coordinator = new MessageVerifier(List.of(coordinatorKey), Clock.systemUTC());
    this.channel = connection.createChannel();
    new TopologyDeclarer(topology).declareAgent(channel, instanceId);
    // A quorum queue with a single active consumer refuses basic.get: consume, as the agent does.
    channel.basicConsume(
        topology.agentQueue(instanceId),
        true,
        (tag, delivery) -> commands.add(delivery),
        tag -> {});
    channel.basicConsume(
        topology.agentControlQueue(instanceId),
        true,
        (tag, delivery) -> controls.add(delivery),
        tag -> {});
    // Events carry the user-id the coordinator checks, as the agent's do.
    this.publisher = new ConfirmingPublisher(connection, codec, Duration.ofSeconds(5), brokerUser);
  }

  String instanceId() {
    return instanceId;
  }

  /**
   * The next command on the agent's queue, waiting up to {@code timeout}.
   *
   * @throws io.pgshuttle.security.SignatureRefusedException if the coordinator did not sign it
   */
  Envelope<StartMigration> awaitCommand(Duration timeout) throws Exception {
    Delivery command = commands.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (command == null) {
      throw new AssertionError("no command for " + instanceId + " within " + timeout);
    }
    return verified(command, StartMigration.class);
  }

  /** The target password of {@code command}, unsealed as the agent does. */
  Secret password(Envelope<StartMigration> command) {
    return SecretSealer.unseal(command.payload().target().sealedPassword(), keys);
  }

  /** {@code sweep} with each target's password unsealed, as the agent reads it. */
  SweepLeftovers unsealed(SweepLeftovers sweep) {
    return new SweepLeftovers(
        sweep.instanceId(),
        sweep.sweepId(),
        sweep.migrations().stream()
            .map(
                ended ->
                    new EndedMigration(
                        ended.migrationId(),
                        ended
                            .target()
                            .withPassword(
                                SecretSealer.unseal(ended.target().sealedPassword(), keys))))
            .toList());
  }

  private <P extends Command> Envelope<P> verified(Delivery delivery, Class<P> type)
      throws Exception {
    Envelope<P> envelope = codec.decode(delivery.getBody(), type);
    coordinator.verify(envelope, delivery.getBody(), delivery.getProperties().getHeaders(), true);
    return envelope;
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
    Delivery control = controls.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (control == null) {
      throw new AssertionError("no control message for " + instanceId + " within " + timeout);
    }
    return verified(control, type);
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

  /** Publishes {@code body} as it is, under the routing key of a StepStarted of the migration. */
  void emitRaw(MigrationId migrationId, byte[] body) {
    publisher.publishRaw(
        topology.eventsExchange(),
        topology.eventRoutingKey(instanceId, migrationId, "StepStarted"),
        new AMQP.BasicProperties.Builder().messageId(UUID.randomUUID().toString()).build(),
        body,
        false);
  }

  /** Publishes {@code envelope} as it is, such as a second time, MACed with this agent's key. */
  void emit(Envelope<Event> envelope) {
    emit(publisher, envelope, eventKey);
  }

  /** Publishes {@code envelope} MACed with {@code by}, or with no MAC when null. */
  void emitAuthenticated(Envelope<Event> envelope, EventMacKey by) {
    emit(publisher, envelope, by);
  }

  /**
   * Publishes {@code envelope}, MACed, without a user-id, as a publisher that says not who it is.
   */
  void emitWithoutUserId(Envelope<Event> envelope) {
    try (ConfirmingPublisher anonymous =
        new ConfirmingPublisher(connection, codec, Duration.ofSeconds(5))) {
      emit(anonymous, envelope, eventKey);
    }
  }

  private void emit(ConfirmingPublisher through, Envelope<Event> envelope, EventMacKey by) {
    byte[] body = codec.encode(envelope);
    through.publish(
        topology.eventsExchange(),
        topology.eventRoutingKey(envelope.instanceId(), envelope.migrationId(), envelope.type()),
        envelope,
        body,
        false,
        by == null ? Map.of() : by.authenticate(envelope, body));
  }

  /**
   * The key this agent's X25519 pair agrees with the coordinator as if it were {@code instance}:
   * what a compromised VM can make to forge another instance's events with.
   */
  EventMacKey eventKeyAs(String instance) {
    return EventMacKey.forAgent(keys, coordinatorEventKey, instance);
  }

  @Override
  public void close() throws Exception {
    publisher.close();
    if (channel.isOpen()) {
      channel.close();
    }
  }
}
