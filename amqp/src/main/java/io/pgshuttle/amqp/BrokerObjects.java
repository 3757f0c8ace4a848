package io.pgshuttle.amqp;

import io.pgshuttle.messages.Topology;
import java.util.List;
import java.util.Map;

/**
 * The durable exchanges, queues and bindings of a {@link Topology}, as values: what {@link
 * TopologyDeclarer} declares and what the broker definitions and {@code pgshuttle broker} create.
 * Every exchange and queue is durable and never auto-deleted. Values; thread-safe.
 */
public record BrokerObjects(List<Exchange> exchanges, List<Queue> queues, List<Binding> bindings) {
  /** An exchange; {@code type} is {@code direct}, {@code fanout} or {@code topic}. */
  public record Exchange(String name, String type) {}

  /** A queue with its declaration arguments (such as {@code x-queue-type}). */
  public record Queue(String name, Map<String, Object> arguments) {
    public Queue {
      arguments = Map.copyOf(arguments);
    }
  }

  /** A binding of {@code queue} to {@code exchange}. */
  public record Binding(String exchange, String queue, String routingKey) {}

  public BrokerObjects {
    exchanges = List.copyOf(exchanges);
    queues = List.copyOf(queues);
    bindings = List.copyOf(bindings);
  }

  /** The exchanges, the requests queue and its dead-letter queue. */
  public static BrokerObjects shared(Topology topology) {
    return new BrokerObjects(
        List.of(
            new Exchange(topology.eventsExchange(), "topic"),
            new Exchange(topology.commandsExchange(), "direct"),
            new Exchange(topology.controlExchange(), "direct"),
            new Exchange(topology.requestsDeadLetterExchange(), "fanout")),
        List.of(
            new Queue(topology.requestsDeadLetterQueue(), Map.of("x-queue-type", "quorum")),
            new Queue(topology.requestsQueue(), topology.requestsQueueArguments())),
        List.of(
            new Binding(
                topology.requestsDeadLetterExchange(), topology.requestsDeadLetterQueue(), "")));
  }

  /** Everything shared, plus the coordinator's queue of all events. */
  public static BrokerObjects coordinator(Topology topology) {
    return shared(topology)
        .plus(
            new BrokerObjects(
                List.of(),
                List.of(
                    new Queue(topology.coordinatorEventsQueue(), Map.of("x-queue-type", "quorum"))),
                List.of(
                    new Binding(
                        topology.eventsExchange(), topology.coordinatorEventsQueue(), "#"))));
  }

  /**
   * One agent's command and control queues and their bindings, without the shared objects they are
   * bound to.
   */
  public static BrokerObjects agentQueues(Topology topology, String instanceId) {
    String commands = topology.agentQueue(instanceId);
    String control = topology.agentControlQueue(instanceId);
    return new BrokerObjects(
        List.of(),
        List.of(
            new Queue(commands, topology.agentQueueArguments()),
            new Queue(control, Map.of("x-queue-type", "quorum"))),
        List.of(
            new Binding(topology.commandsExchange(), commands, instanceId),
            new Binding(topology.controlExchange(), control, instanceId)));
  }

  /** These objects, then {@code more}'s, in that order. */
  public BrokerObjects plus(BrokerObjects more) {
    return new BrokerObjects(
        concat(exchanges, more.exchanges),
        concat(queues, more.queues),
        concat(bindings, more.bindings));
  }

  private static <T> List<T> concat(List<T> first, List<T> second) {
    return java.util.stream.Stream.concat(first.stream(), second.stream()).toList();
  }
}
