package io.pgshuttle.client.internal;

import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Delivery;
import io.pgshuttle.amqp.QueueConsumer;
import io.pgshuttle.client.PermanentClientException;
import io.pgshuttle.client.Subscription;
import io.pgshuttle.client.SubscriptionSpec;
import io.pgshuttle.client.TransientClientException;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MessageDecodingException;
import io.pgshuttle.messages.Topology;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * A {@link Subscription} on a connection of its own: a durable quorum queue bound to the events
 * exchange, consumed with manual acks. The RabbitMQ client's automatic recovery brings back the
 * connection, channel, binding and consumer after a broker restart or a network failure; when the
 * broker closes the channel alone (a channel-level error, such as a delivery not acked within the
 * broker's consumer timeout) or cancels the consumer (its queue was deleted), the {@link
 * QueueConsumer} declares the queue again, binds it and consumes on a new channel, first after the
 * recovery interval. Thread-safe.
 */
public final class AmqpSubscription implements Subscription {
  private static final int CLOSE_TIMEOUT_MILLIS = 10_000;

  private final SubscriptionSpec spec;
  private final MessageCodec codec;
  private final Connection connection;
  private final Topology topology;

  /** Held while one message is handled and acked, so that close() never cuts one in half. */
  private final Object handling = new Object();

  private volatile boolean closed; // written holding handling
  private volatile QueueConsumer consumer;

  private AmqpSubscription(
      SubscriptionSpec spec, MessageCodec codec, Connection connection, Topology topology) {
    this.spec = spec;
    this.codec = codec;
    this.connection = connection;
    this.topology = topology;
  }

  /**
   * Connects, declares the events exchange and the queue, binds it and starts consuming.
   *
   * @param factory a factory set to the broker's URI
   * @throws TransientClientException when the broker cannot be reached (automatic recovery does not
   *     cover a first connection)
   * @throws PermanentClientException when the broker refuses the queue or the binding, such as a
   *     queue of that name declared with other arguments, or access refused
   */
  public static Subscription open(
      ConnectionFactory factory,
      String brokerDescription,
      Topology topology,
      SubscriptionSpec spec,
      MessageCodec codec,
      Duration recoveryInterval) {
    factory.setAutomaticRecoveryEnabled(true);
    factory.setTopologyRecoveryEnabled(true);
    factory.setNetworkRecoveryInterval(recoveryInterval.toMillis());
    Connection connection;
    try {
      connection = factory.newConnection("pgshuttle-client " + spec.queue());
    } catch (IOException | TimeoutException e) {
      throw new TransientClientException(
          "cannot connect to RabbitMQ at " + brokerDescription + ": " + reason(e), e);
    }
    AmqpSubscription subscription = new AmqpSubscription(spec, codec, connection, topology);
    try {
      subscription.consumer =
          QueueConsumer.start(
              connection,
              spec.queue(),
              spec.prefetch(),
              "pgshuttle-client " + spec.queue(),
              subscription::declareAndBind,
              subscription::take,
              recoveryInterval);
    } catch (IOException | RuntimeException e) {
      subscription.close();
      throw new PermanentClientException(
          "cannot subscribe queue '"
              + spec.queue()
              + "' to "
              + topology.eventsExchange()
              + " on RabbitMQ at "
              + brokerDescription
              + ": "
              + reason(e)
              + " (a queue of that name must be a durable quorum queue, and the user may"
              + " configure, write and read it)",
          e);
    }
    return subscription;
  }

  /** Declares the exchange and the queue and binds it, before each consume. */
  private void declareAndBind(Channel channel) throws IOException {
    channel.exchangeDeclare(topology.eventsExchange(), BuiltinExchangeType.TOPIC, true);
    channel.queueDeclare(spec.queue(), true, false, false, Map.of("x-queue-type", "quorum"));
    channel.queueBind(spec.queue(), topology.eventsExchange(), spec.routingPattern());
  }

  private void take(Channel channel, Delivery delivery) throws IOException {
    synchronized (handling) {
      if (!closed) {
        handle(channel, delivery);
      }
    }
  }

  private void handle(Channel channel, Delivery delivery) throws IOException {
    long tag = delivery.getEnvelope().getDeliveryTag();
    String routingKey = delivery.getEnvelope().getRoutingKey();
    Envelope<Event> event;
    try {
      event = codec.decode(delivery.getBody(), Event.class);
    } catch (MessageDecodingException e) {
      report(routingKey, delivery.getBody(), e);
      channel.basicReject(tag, false);
      return;
    }
    try {
      spec.handler().handle(event);
    } catch (Exception e) {
      report(routingKey, delivery.getBody(), e);
      channel.basicNack(tag, false, true);
      return;
    }
    channel.basicAck(tag, false);
  }

  private void report(String routingKey, byte[] body, Exception cause) {
    try {
      spec.errors().onError(routingKey, body, cause);
    } catch (RuntimeException ignored) {
      // An error handler must not stall the queue: what it throws goes nowhere.
    }
  }

  private static String reason(Exception e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getMessage() == null) {
      cause = cause.getCause();
    }
    return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
  }

  @Override
  public String queue() {
    return spec.queue();
  }

  @Override
  public Optional<String> problem() {
    if (closed) {
      return Optional.empty();
    }
    if (!connection.isOpen()) {
      return Optional.of("the connection to RabbitMQ is down; it reconnects by itself");
    }
    QueueConsumer started = consumer;
    return started == null ? Optional.empty() : started.problem();
  }

  @Override
  public void close() {
    synchronized (handling) {
      if (closed) {
        return;
      }
      closed = true;
    }
    QueueConsumer started = consumer;
    if (started != null) {
      started.close();
    }
    try {
      connection.close(CLOSE_TIMEOUT_MILLIS);
    } catch (IOException | AlreadyClosedException e) {
      // Gone either way; the broker requeues what was not acked.
    }
  }
}
