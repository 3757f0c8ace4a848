package io.pgshuttle.agent;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.pgshuttle.messages.Command;
import io.pgshuttle.messages.EndedMigration;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.StartMigration;
import io.pgshuttle.messages.SweepLeftovers;
import io.pgshuttle.messages.TargetServer;
import io.pgshuttle.messages.Topology;
import io.pgshuttle.security.MessageSigner;
import io.pgshuttle.security.SecretSealer;
import io.pgshuttle.testkit.TestBroker;
import java.security.PublicKey;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The broker as an agent IT sees it, in a namespace of the test's own: a tap on every event, a way
 * to publish to the agent's queues as the coordinator does (passwords sealed for the agent, signed
 * with the coordinator's key from {@link TestKeys}) or otherwise, and on {@link #close()} the
 * deletion of the namespace's queues and exchanges. Thread-safe: the tap fills its lists on the
 * client's consumer thread.
 */
public final class AgentBroker implements AutoCloseable {
  private final Topology topology;
  private final String instanceId;
  private final TestKeys keys;
  private final MessageCodec codec = new MessageCodec();
  private final Connection connection;
  private final Channel channel;
  private final List<Envelope<Event>> events = new CopyOnWriteArrayList<>();
  private final List<String> rawEvents = new CopyOnWriteArrayList<>();

  /** A message as published: its bytes and headers, to publish again as they are. */
  public record Published(byte[] body, Map<String, Object> headers) {}

  /** Connects to the test broker and starts tapping {@code topology}'s events exchange. */
  public AgentBroker(Topology topology, String instanceId, TestKeys keys) throws Exception {
    this.topology = topology;
    this.instanceId = instanceId;
    this.keys = keys;
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(TestBroker.uri());
    connection = factory.newConnection("pgshuttle-agent-it");
    channel = connection.createChannel();
    // Declared as the agent declares it, so that the tap binds before the agent starts.
    channel.exchangeDeclare(topology.eventsExchange(), "topic", true);
    String tap = channel.queueDeclare().getQueue();
    channel.queueBind(tap, topology.eventsExchange(), "#");
    channel.basicConsume(
        tap,
        true,
        (tag, delivery) -> {
          try {
            rawEvents.add(new String(delivery.getBody(), UTF_8));
            events.add(codec.decode(delivery.getBody(), Event.class));
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        },
        tag -> {});
  }

  /** Every event seen so far, in arrival order. */
  public List<Envelope<Event>> events() {
    return events;
  }

  /** Every event seen so far, as the JSON that travelled. */
  public String rawEvents() {
    return String.join("\n", rawEvents);
  }

  /** Deletes the agent's command and control queues, as someone tidying the broker might. */
  public void deleteAgentQueues() throws Exception {
    channel.queueDelete(topology.agentQueue(instanceId));
    channel.queueDelete(topology.agentControlQueue(instanceId));
  }

  /** The consumers of the agent's command and control queues, -1 for one that does not exist. */
  public List<Integer> agentQueueConsumers() throws Exception {
    return List.of(
        TestBroker.consumers(connection, topology.agentQueue(instanceId)),
        TestBroker.consumers(connection, topology.agentControlQueue(instanceId)));
  }

  /** Commands waiting in the agent's command queue. */
  public long commandsWaiting() throws Exception {
    return channel.messageCount(topology.agentQueue(instanceId));
  }

  /**
   * Publishes {@code command} to the agent's command queue as the coordinator does: its clear
   * password sealed for the agent, signed with the coordinator's key.
   */
  public Published publishCommand(Envelope<StartMigration> command) throws Exception {
    return publishCommand(command, keys.coordinatorSigner());
  }

  /** Publishes {@code body} to the agent's control queue. */
  public void publishControl(byte[] body) throws Exception {
    channel.basicPublish(topology.controlExchange(), instanceId, null, body);
  }

  /** Control messages waiting in the agent's control queue. */
  public long controlsWaiting() throws Exception {
    return channel.messageCount(topology.agentControlQueue(instanceId));
  }

  /**
   * As {@link #publishCommand(Envelope)}, but the password sealed for {@code recipient}: the key
   * the coordinator held for the agent before a rotation, say.
   */
  public Published publishCommandSealedFor(Envelope<StartMigration> command, PublicKey recipient)
      throws Exception {
    return publish(
        topology.commandsExchange(),
        command.withPayload(
            command.payload().withTarget(sealed(command.payload().target(), recipient))),
        keys.coordinatorSigner());
  }

  /** As {@link #publishCommand(Envelope)}, signed by {@code signer}, or unsigned when null. */
  public Published publishCommand(Envelope<StartMigration> command, MessageSigner signer)
      throws Exception {
    return publish(topology.commandsExchange(), sealed(command), signer);
  }

  /** Publishes {@code message} to the agent's command queue, as it is. */
  public void publishRaw(Published message) throws Exception {
    publishRaw(message, topology.commandsExchange());
  }

  /** Publishes {@code message} to {@code exchange}, routed to the agent, as it is. */
  public void publishRaw(Published message, String exchange) throws Exception {
    channel.basicPublish(
        exchange,
        instanceId,
        new AMQP.BasicProperties.Builder().headers(message.headers()).build(),
        message.body());
  }

  /**
   * Publishes {@code envelope} to the agent's control queue as the coordinator does: each target
   * password of a sweep sealed, signed with the coordinator's key.
   */
  public Published publishControl(Envelope<? extends Command> envelope) throws Exception {
    Envelope<? extends Command> sealed = envelope;
    if (envelope.payload() instanceof SweepLeftovers sweep) {
      sealed =
          envelope.withPayload(
              new SweepLeftovers(
                  sweep.instanceId(),
                  sweep.sweepId(),
                  sweep.migrations().stream()
                      .map(m -> new EndedMigration(m.migrationId(), sealed(m.target())))
                      .toList()));
    }
    return publish(topology.controlExchange(), sealed, keys.coordinatorSigner());
  }

  private Published publish(String exchange, Envelope<?> envelope, MessageSigner signer)
      throws Exception {
    byte[] body = codec.encode(envelope);
    Published message =
        new Published(body, signer == null ? Map.of() : signer.sign(envelope, body));
    channel.basicPublish(
        exchange,
        instanceId,
        new AMQP.BasicProperties.Builder().headers(message.headers()).build(),
        body);
    return message;
  }

  /** {@code command} with its clear password sealed for the agent, as the coordinator sends it. */
  public Envelope<StartMigration> sealed(Envelope<StartMigration> command) {
    return command.withPayload(command.payload().withTarget(sealed(command.payload().target())));
  }

  private TargetServer sealed(TargetServer target) {
    return sealed(target, keys.agentSealingPublic());
  }

  /** {@code target} with its clear password, if any, sealed for {@code recipient}. */
  private static TargetServer sealed(TargetServer target, PublicKey recipient) {
    return target.password() == null
        ? target
        : target.withSealedPassword(new SecretSealer().seal(target.password(), recipient));
  }

  @Override
  public void close() throws Exception {
    connection.close();
    TestBroker.delete(
        List.of(
            topology.requestsQueue(),
            topology.requestsDeadLetterQueue(),
            topology.agentQueue(instanceId),
            topology.agentControlQueue(instanceId)),
        List.of(
            topology.requestsDeadLetterExchange(),
            topology.commandsExchange(),
            topology.controlExchange(),
            topology.eventsExchange()));
  }
}
