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
import io.pgshuttle.security.MessageSigner;
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
 * publishes events signed with its Ed25519 key.
 */
final class FakeAgent implements AutoCloseable {
  private final Topology topology;
  private final String instanceId;
  private final MessageCodec codec;
  private final Channel channel;
  private final ConfirmingPublisher publisher;
  private final Connection connection;
  private final Keys keys;
  private final MessageSigner signer;
  private final MessageVerifier coordinator;
  private final BlockingQueue<Delivery> commands = new LinkedBlockingQueue<>();
  private final BlockingQueue<Delivery> controls = new LinkedBlockingQueue<>();

  /** An agent's two key pairs, as registered with the coordinator. */
  record Keys(KeyPair signing, KeyPair sealing) {}

  /**
   * @param brokerUser the user-id of its events, which the coordinator checks as the agent's
   */
  FakeAgent(
      Connection connection,
      String brokerUser,
      Topology topology,
      String instanceId,
      MessageCodec codec,
      Keys keys,
      PublicKey coordinatorKey)
      throws Exception {
    this.topology = topology;
    this.instanceId = instanceId;
    this.codec = codec;
    this.connection = connection;
    this.keys = keys;
    this.signer = new MessageSigner(keys.signing(), Clock.systemUTC(), Duration.ofHours(1));
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
    return SecretSealer.unseal(command.payload().target().sealedPassword(), keys.sealing());
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
                                SecretSealer.unseal(
                                    ended.target().sealedPassword(), keys.sealing()))))
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

  /** Publishes {@code envelope} as it is, such as a second time, signed with this agent's key. */
  void emit(Envelope<Event> envelope) {
    emit(publisher, envelope, signer);
  }

  /** Publishes {@code envelope} signed by {@code by}, such as another instance's agent's key. */
  void emitSigned(Envelope<Event> envelope, MessageSigner by) {
    emit(publisher, envelope, by);
  }

  /**
   * Publishes {@code envelope}, signed, without a user-id, as a publisher that says not who it is.
   */
  void emitWithoutUserId(Envelope<Event> envelope) {
    try (ConfirmingPublisher anonymous =
        new ConfirmingPublisher(connection, codec, Duration.ofSeconds(5))) {
      emit(anonymous, envelope, signer);
    }
  }

  private void emit(ConfirmingPublisher through, Envelope<Event> envelope, MessageSigner by) {
    byte[] body = codec.encode(envelope);
    through.publish(
        topology.eventsExchange(),
        topology.eventRoutingKey(envelope.instanceId(), envelope.migrationId(), envelope.type()),
        envelope,
        body,
        false,
        by == null ? Map.of() : by.sign(envelope, body));
  }

  /** This agent's event signer, to forge another instance's events with in a test. */
  MessageSigner signer() {
    return signer;
  }

  @Override
  public void close() throws Exception {
    publisher.close();
    if (channel.isOpen()) {
      channel.close();
    }
  }
}
