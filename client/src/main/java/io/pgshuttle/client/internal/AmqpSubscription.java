package io.pgshuttle.client.internal;

import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Delivery;
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
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link Subscription} on a connection of its own: a durable quorum queue bound to the events
 * exchange, consumed with manual acks. The RabbitMQ client's automatic recovery brings back the
 * connection, channel, binding and consumer after a broker restart or a network failure; what it
 * does not cover, this class does: when the broker closes the channel alone (a channel-level error,
 * such as a delivery not acked within the broker's consumer timeout) or cancels the consumer (its
 * queue was deleted), a thread of the subscription's own declares the queue again, binds it and
 * consumes on a new channel, every recovery interval until that works or the subscription closes.
 * Thread-safe.
 */
public final class AmqpSubscription implements Subscription {
  private static final int CLOSE_TIMEOUT_MILLIS = 10_000;

  private final SubscriptionSpec spec;
  private final MessageCodec codec;
  private final Connection connection;
  private final Topology topology;
  private final Duration recoveryInterval;

  /** Consumes again after the broker closed the channel or cancelled the consumer. */
  private final ScheduledExecutorService resubscriber;

  /** Set while a new subscription is scheduled or being made, so that only one is. */
  private final AtomicBoolean resubscribing = new AtomicBoolean();

  /** Held while one message is handled and acked, so that close() never cuts one in half. */
  private final Object handling = new Object();

  private volatile boolean closed; // written holding handling
  private volatile Channel channel;

  private AmqpSubscription(
      SubscriptionSpec spec,
      MessageCodec codec,
      Connection connection,
      Topology topology,
      Duration recoveryInterval) {
    this.spec = spec;
    this.codec = codec;
    this.connection = connection;
    this.topology = topology;
    this.recoveryInterval = recoveryInterval;
    this.resubscriber =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "pgshuttle-client resubscribe " + spec.queue());
              thread.setDaemon(true);
              return thread;
            });
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
    AmqpSubscription subscription =
        new AmqpSubscription(spec, codec, connection, topology, recoveryInterval);
    try {
      subscription.consume();
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

  /** Declares the exchange and the queue, binds it and consumes it on a new channel. */
  private void consume() throws IOException {
    Channel opened = connection.createChannel();
    try {
      opened.exchangeDeclare(topology.eventsExchange(), BuiltinExchangeType.TOPIC, true);
      opened.queueDeclare(spec.queue(), true, false, false, Map.of("x-queue-type", "quorum"));
      opened.queueBind(spec.queue(), topology.eventsExchange(), spec.routingPattern());
      opened.basicQos(spec.prefetch());
      opened.addShutdownListener(
          cause -> {
            // A connection's failure is automatic recovery's to mend, and a close of ours is meant.
            if (!cause.isHardError() && !cause.isInitiatedByApplication()) {
              resubscribeLater();
            }
          });
      // The broker cancels the consumer when the queue is deleted.
      opened.basicConsume(
          spec.queue(),
          false,
          (tag, delivery) -> take(opened, delivery),
          tag -> resubscribeLater());
    } catch (IOException | RuntimeException e) {
      closeQuietly(opened);
      throw e;
    }
    channel = opened;
  }

  /**
   * Schedules a new subscription. Called on the client's threads (a shutdown listener runs on the
   * connection's), so it takes no lock a handler may hold.
   */
  private void resubscribeLater() {
    if (closed || !resubscribing.compareAndSet(false, true)) {
      return;
    }
    try {
      resubscriber.schedule(this::resubscribe, recoveryInterval.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // Closed meanwhile.
    }
  }

  private void resubscribe() {
    if (closed) {
      return;
    }
    closeQuietly(channel);
    resubscribing.set(false);
    try {
      consume();
    } catch (IOException | RuntimeException e) {
      // The broker is unreachable or refuses for now: try again after the next interval.
      resubscribeLater();
    }
  }

  private static void closeQuietly(Channel channel) {
    if (channel != null && channel.isOpen()) {
      try {
        channel.close();
      } catch (IOException | TimeoutException | AlreadyClosedException e) {
        // Closed either way.
      }
    }
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
  public void close() {
    synchronized (handling) {
      if (closed) {
        return;
      }
      closed = true;
      resubscriber.shutdownNow();
    }
    try {
      connection.close(CLOSE_TIMEOUT_MILLIS);
    } catch (IOException | AlreadyClosedException e) {
      // Gone either way; the broker requeues what was not acked.
    }
  }
}
