package io.pgshuttle.amqp;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.pgshuttle.messages.Topology;
import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.TimeoutException;

/**
 * Declares the broker objects of a {@link Topology} (see {@link BrokerObjects}). Declaring is
 * idempotent, so every process whose broker user may configure them declares what it uses when it
 * starts; an agent under its own restricted user finds its queues made by {@code pgshuttle broker
 * add-agent} instead (see {@link #agentQueuesExist}). Not thread-safe (a channel is not).
 */
public final class TopologyDeclarer {
  private final Topology topology;

  public TopologyDeclarer(Topology topology) {
    this.topology = topology;
  }

  /** The exchanges, the requests queue and its dead-letter queue. */
  public void declareShared(Channel channel) throws IOException {
    declare(channel, BrokerObjects.shared(topology));
  }

  /** Everything shared, plus the coordinator's queue of all events. */
  public void declareCoordinator(Channel channel) throws IOException {
    declare(channel, BrokerObjects.coordinator(topology));
  }

  /** Everything shared, plus one agent's command and control queues. */
  public void declareAgent(Channel channel, String instanceId) throws IOException {
    declare(
        channel,
        BrokerObjects.shared(topology).plus(BrokerObjects.agentQueues(topology, instanceId)));
  }

  /**
   * Whether the agent's command and control queues exist, by passive declares on a channel of their
   * own (they need no configure permission, but a missing queue closes their channel).
   */
  public boolean agentQueuesExist(Connection connection, String instanceId) throws IOException {
    Channel channel = connection.createChannel();
    try {
      for (BrokerObjects.Queue queue : BrokerObjects.agentQueues(topology, instanceId).queues()) {
        channel.queueDeclarePassive(queue.name());
      }
      channel.close();
      return true;
    } catch (IOException e) {
      if (AmqpErrors.replyCode(e) == AmqpErrors.NOT_FOUND) {
        return false;
      }
      throw e;
    } catch (TimeoutException e) {
      throw new IOException("timed out closing a channel", e);
    }
  }

  private static void declare(Channel channel, BrokerObjects objects) throws IOException {
    for (BrokerObjects.Exchange exchange : objects.exchanges()) {
      channel.exchangeDeclare(
          exchange.name(),
          BuiltinExchangeType.valueOf(exchange.type().toUpperCase(Locale.ROOT)),
          true);
    }
    for (BrokerObjects.Queue queue : objects.queues()) {
      channel.queueDeclare(queue.name(), true, false, false, queue.arguments());
    }
    for (BrokerObjects.Binding binding : objects.bindings()) {
      channel.queueBind(binding.queue(), binding.exchange(), binding.routingKey());
    }
  }
}
