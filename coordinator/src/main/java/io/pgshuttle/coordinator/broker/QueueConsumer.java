package io.pgshuttle.coordinator.broker;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Delivery;
import java.io.IOException;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes one queue with manual acknowledgements on a channel of its own. The handler acks or
 * nacks each delivery itself; if it throws, the delivery is requeued (a handler exception would
 * otherwise close the channel). Deliveries of one consumer are handled one at a time, on the
 * client's consumer threads; {@link #close()} may be called from any thread.
 */
public final class QueueConsumer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(QueueConsumer.class);

  /** Handles a delivery and acks or nacks it on {@code channel}. */
  @FunctionalInterface
  public interface Handler {
    void handle(Channel channel, Delivery delivery) throws IOException;
  }

  private final Channel channel;

  private QueueConsumer(Channel channel) {
    this.channel = channel;
  }

  /** Starts consuming {@code queue}, at most {@code prefetch} unacknowledged at a time. */
  public static QueueConsumer start(
      Broker broker, String queue, int prefetch, String consumerTag, Handler handler)
      throws IOException {
    Channel channel = broker.openChannel();
    channel.basicQos(prefetch);
    channel.basicConsume(
        queue,
        false,
        consumerTag,
        (tag, delivery) -> handleSafely(channel, delivery, handler, queue),
        tag -> log.warn("the broker cancelled consumer {} of {}", tag, queue));
    return new QueueConsumer(channel);
  }

  private static void handleSafely(
      Channel channel, Delivery delivery, Handler handler, String queue) {
    try {
      handler.handle(channel, delivery);
    } catch (IOException | RuntimeException e) {
      log.error("cannot handle a delivery from {}; requeueing it", queue, e);
      try {
        channel.basicNack(delivery.getEnvelope().getDeliveryTag(), false, true);
      } catch (IOException | RuntimeException nackFailed) {
        log.warn("cannot requeue a delivery from {}: {}", queue, nackFailed.toString());
      }
    }
  }

  @Override
  public void close() {
    if (channel.isOpen()) {
      try {
        channel.close();
      } catch (IOException | TimeoutException | com.rabbitmq.client.AlreadyClosedException e) {
        // The connection is gone, and the channel with it.
      }
    }
  }
}
