package io.pgshuttle.agent;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.Topology;
import io.pgshuttle.testkit.TestBroker;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The broker as an agent IT sees it, in a namespace of the test's own: a tap on every event, a way
 * to publish to the agent's queues, and on {@link #close()} the deletion of the namespace's queues
 * and exchanges. Thread-safe: the tap fills its lists on the client's consumer thread.
 */
public final class AgentBroker implements AutoCloseable {
  private final Topology topology;
  private final String instanceId;
  private final MessageCodec codec = new MessageCodec();
  private final Connection connection;
  private final Channel channel;
  private final List<Envelope<Event>> events = new CopyOnWriteArrayList<>();
  private final List<String> rawEvents = new CopyOnWriteArrayList<>();

  /** Connects to the test broker and starts tapping {@code topology}'s events exchange. */
  public AgentBroker(Topology topology, String instanceId) throws Exception {
    this.topology = topology;
    this.instanceId = instanceId;
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

  /** Commands waiting in the agent's command queue. */
  public long commandsWaiting() throws Exception {
    return channel.messageCount(topology.agentQueue(instanceId));
  }

  /** Publishes {@code body} to the agent's command queue. */
  public void publishCommand(byte[] body) throws Exception {
    channel.basicPublish(topology.commandsExchange(), instanceId, null, body);
  }

  /** Publishes {@code envelope} to the agent's control queue. */
  public void publishControl(Envelope<?> envelope) throws Exception {
    publishControl(codec.encode(envelope));
  }

  /** Publishes {@code body} to the agent's control queue. */
  public void publishControl(byte[] body) throws Exception {
    channel.basicPublish(topology.controlExchange(), instanceId, null, body);
  }

  /** Control messages waiting in the agent's control queue. */
  public long controlsWaiting() throws Exception {
    return channel.messageCount(topology.agentControlQueue(instanceId));
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
