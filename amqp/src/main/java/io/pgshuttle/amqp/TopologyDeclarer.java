package io.pgshuttle.amqp;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import io.pgshuttle.messages.Topology;
import java.io.IOException;
import java.util.Map;

/**
 * Declares the broker objects of a {@link Topology}. Declaring is idempotent, so every process
 * declares what it uses when it starts. Not thread-safe (a channel is not).
 */
public final class TopologyDeclarer {
  private final Topology topology;

  public TopologyDeclarer(Topology topology) {
    this.topology = topology;
  }

  /** The exchanges, the requests queue and its dead-letter queue. */
  public void declareShared(Channel channel) throws IOException {
    channel.exchangeDeclare(topology.eventsExchange(), BuiltinExchangeType.TOPIC, true);
    channel.exchangeDeclare(topology.commandsExchange(), BuiltinExchangeType.DIRECT, true);
    channel.exchangeDeclare(topology.controlExchange(), BuiltinExchangeType.DIRECT, true);
    channel.exchangeDeclare(
        topology.requestsDeadLetterExchange(), BuiltinExchangeType.FANOUT, true);
    channel.queueDeclare(
        topology.requestsDeadLetterQueue(), true, false, false, Map.of("x-queue-type", "quorum"));
    channel.queueBind(
        topology.requestsDeadLetterQueue(), topology.requestsDeadLetterExchange(), "");
    channel.queueDeclare(
        topology.requestsQueue(), true, false, false, topology.requestsQueueArguments());
  }

  /** Everything shared, plus the coordinator's queue of all events. */
  public void declareCoordinator(Channel channel) throws IOException {
    declareShared(channel);
    channel.queueDeclare(
        topology.coordinatorEventsQueue(), true, false, false, Map.of("x-queue-type", "quorum"));
    channel.queueBind(topology.coordinatorEventsQueue(), topology.eventsExchange(), "#");
  }

  /** Everything shared, plus one agent's command and control queues. */
  public void declareAgent(Channel channel, String instanceId) throws IOException {
    declareShared(channel);
    String commands = topology.agentQueue(instanceId);
    channel.queueDeclare(commands, true, false, false, topology.agentQueueArguments());
    channel.queueBind(commands, topology.commandsExchange(), instanceId);
    String control = topology.agentControlQueue(instanceId);
    channel.queueDeclare(control, true, false, false, Map.of("x-queue-type", "quorum"));
    channel.queueBind(control, topology.controlExchange(), instanceId);
  }
}
