package io.pgshuttle.coordinator.broker;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Delivery;
import io.pgshuttle.amqp.QueueConsumer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes one queue in batches: the client's consumer thread only hands deliveries over, and one
 * thread of its own takes whatever has arrived, up to a batch, and gives it to the handler, which
 * settles every delivery of the batch ({@link Taken#ack}, {@link Taken#requeue}, {@link
 * Taken#ackAll}) before it returns, so that one store commit and one ack can serve many messages.
 * Should the handler throw, what it left unsettled goes back to the queue: the next batch's ack
 * (multiple=true) would otherwise ack it unhandled. It never waits to fill a batch. Up to two
 * batches are unacknowledged at a time (the prefetch), so the next one arrives while one is
 * handled. {@link #close()} may be called from any thread.
 */
public final class BatchingConsumer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BatchingConsumer.class);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

  /** Handles a batch and settles each of its deliveries; called on the consumer's own thread. */
  @FunctionalInterface
  public interface Handler {
    void handle(List<Taken> batch) throws IOException;
  }

  /**
   * A delivery and the channel it came on, which alone can settle it; confined to the consumer's
   * thread.
   */
  public static final class Taken {
    private final Channel channel;
    private final Delivery delivery;
    private boolean settled;

    private Taken(Channel channel, Delivery delivery) {
      this.channel = channel;
      this.delivery = delivery;
    }

    public Delivery delivery() {
      return delivery;
    }

    public long tag() {
      return delivery.getEnvelope().getDeliveryTag();
    }

    /** Acks this delivery alone. */
    public void ack() throws IOException {
      channel.basicAck(tag(), false);
      settled = true;
    }

    /** Returns this delivery to the queue, to be delivered again. */
    public void requeue() throws IOException {
      channel.basicNack(tag(), false, true);
      settled = true;
    }

    /**
     * Acks {@code handled}, one ack per run of deliveries on the same channel: every earlier
     * delivery on that channel has already been settled by the consumer's thread, in order, so
     * multiple=true acks exactly these.
     */
    public static void ackAll(List<Taken> handled) throws IOException {
      int runStart = 0;
      for (int i = 0; i < handled.size(); i++) {
        Taken taken = handled.get(i);
        boolean lastOfRun = i + 1 == handled.size() || handled.get(i + 1).channel != taken.channel;
        if (lastOfRun) {
          taken.channel.basicAck(taken.tag(), true);
          handled.subList(runStart, i + 1).forEach(acked -> acked.settled = true);
          runStart = i + 1;
        }
      }
    }
  }

  private final QueueConsumer consumer;
  private final Thread thread;

  private BatchingConsumer(QueueConsumer consumer, Thread thread) {
    this.consumer = consumer;
    this.thread = thread;
  }

  /**
   * Starts consuming {@code queue}, handing {@code handler} up to {@code batch} deliveries at a
   * time on a thread named {@code threadName}.
   */
  public static BatchingConsumer start(
      Broker broker,
      String queue,
      int batch,
      String consumerTag,
      String threadName,
      Handler handler)
      throws IOException {
    // Bounded by the prefetch: the broker sends no more than 2 * batch unacked deliveries.
    BlockingQueue<Taken> arrived = new LinkedBlockingQueue<>();
    Thread thread = new Thread(() -> loop(arrived, batch, handler, queue), threadName);
    thread.setDaemon(true);
    thread.start();
    QueueConsumer consumer =
        broker.consume(
            queue,
            2 * batch,
            consumerTag,
            (channel, delivery) -> arrived.add(new Taken(channel, delivery)));
    return new BatchingConsumer(consumer, thread);
  }

  private static void loop(BlockingQueue<Taken> arrived, int limit, Handler handler, String queue) {
    List<Taken> batch = new ArrayList<>(limit);
    while (!Thread.currentThread().isInterrupted()) {
      try {
        batch.add(arrived.take());
        arrived.drainTo(batch, limit - 1);
        handler.handle(batch);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (IOException | RuntimeException e) {
        log.error(
            "cannot handle or ack {} deliveries from {}; the broker will deliver them again",
            batch.size(),
            queue,
            e);
        requeueUnsettled(batch);
      } finally {
        batch.clear();
      }
    }
  }

  /**
   * Returns what the handler left unsettled to the queue. On a channel that is gone there is
   * nothing to do: the broker delivers it again by itself.
   */
  private static void requeueUnsettled(List<Taken> batch) {
    try {
      for (Taken taken : batch) {
        if (!taken.settled) {
          taken.requeue();
        }
      }
    } catch (IOException | RuntimeException e) {
      log.debug("cannot requeue unsettled deliveries: {}", e.toString());
    }
  }

  @Override
  public void close() {
    // The channel first: what is not acked yet goes back to the queue.
    consumer.close();
    thread.interrupt();
    try {
      thread.join(STOP_TIMEOUT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
