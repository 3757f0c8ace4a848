package io.pgshuttle.amqp;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Delivery;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes one queue with manual acknowledgements on a channel of its own, for as long as it is
 * open. The handler acks or nacks each delivery itself; if it throws, the delivery is requeued
 * after a pause of 1 s, so that a lasting failure does not spin (a handler exception would
 * otherwise close the channel). Deliveries are handled one at a time, on the client's consumer
 * threads.
 *
 * <p>The connection's automatic recovery (see {@link AmqpConnector}) brings the channel and the
 * consumer back after a connection failure. What it does not cover, this class does: when the
 * broker closes the channel alone (a channel-level error, such as a delivery held unacked past the
 * broker's {@code consumer_timeout}) or cancels the consumer (its queue was deleted), a thread of
 * the consumer's own runs the {@link QueueSetup} again and consumes on a new channel. It tries
 * after a first wait (such as {@link #FIRST_RETRY}), then after twice as long each time up to 30 s
 * (or the first wait, if longer), until that works or the consumer is closed. Deliveries left
 * unacked on the old channel go back to the queue, and acks on it fail.
 *
 * <p>{@link #close()} may be called from any thread.
 */
public final class QueueConsumer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(QueueConsumer.class);

  /** The first wait before consuming again, as long as a broker connection's between tries. */
  public static final Duration FIRST_RETRY = Duration.ofSeconds(1);

  private static final Duration LONGEST_RETRY = Duration.ofSeconds(30);
  private static final Duration PAUSE_BEFORE_REQUEUE = Duration.ofSeconds(1);

  /** Handles a delivery and acks or nacks it on {@code channel}. */
  @FunctionalInterface
  public interface Handler {
    void handle(Channel channel, Delivery delivery) throws IOException;
  }

  /**
   * Makes sure the queue exists, before the first consume and before each new one; {@code channel}
   * is the channel about to consume, which a refused declaration closes.
   */
  @FunctionalInterface
  public interface QueueSetup {
    void prepare(Channel channel) throws IOException;
  }

  private final Connection connection;
  private final String queue;
  private final int prefetch;
  private final String consumerTag;
  private final QueueSetup setup;
  private final Handler handler;
  private final Duration firstRetry;
  private final Duration lastRetry;

  /** Consumes again after the broker closed the channel or cancelled the consumer. */
  private final ScheduledExecutorService restarter;

  /** Set while a restart is scheduled or running, so that only one is. */
  private final AtomicBoolean restarting = new AtomicBoolean();

  private volatile boolean closed;
  private volatile Channel channel;

  /** Why the consumer does not consume, from a stop by the broker to the next consume; or null. */
  private volatile String stoppedBecause;

  private Duration nextRetry; // only on the restarter's thread

  private QueueConsumer(
      Connection connection,
      String queue,
      int prefetch,
      String consumerTag,
      QueueSetup setup,
      Handler handler,
      Duration firstRetry) {
    this.connection = connection;
    this.queue = queue;
    this.prefetch = prefetch;
    this.consumerTag = consumerTag;
    this.setup = setup;
    this.handler = handler;
    this.firstRetry = firstRetry;
    this.lastRetry = max(firstRetry, LONGEST_RETRY);
    this.nextRetry = firstRetry;
    this.restarter =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "pgshuttle consume " + queue);
              thread.setDaemon(true);
              return thread;
            });
  }

  /**
   * Runs {@code setup} and starts consuming {@code queue} on a new channel of {@code connection},
   * at most {@code prefetch} unacknowledged at a time (0: no limit). Should the broker stop the
   * consumer, the first try to consume again comes {@code firstRetry} later ({@link #FIRST_RETRY}
   * suits a daemon).
   *
   * @throws IOException if the setup or the consume fails; nothing is left open then
   */
  public static QueueConsumer start(
      Connection connection,
      String queue,
      int prefetch,
      String consumerTag,
      QueueSetup setup,
      Handler handler,
      Duration firstRetry)
      throws IOException {
    QueueConsumer consumer =
        new QueueConsumer(connection, queue, prefetch, consumerTag, setup, handler, firstRetry);
    try {
      consumer.consume();
    } catch (IOException | RuntimeException e) {
      consumer.close();
      throw e;
    }
    return consumer;
  }

  private void consume() throws IOException {
    Channel opened = connection.createChannel();
    try {
      setup.prepare(opened);
      opened.basicQos(prefetch);
      opened.addShutdownListener(
          cause -> {
            // A connection's failure is automatic recovery's to mend, and a close of ours is meant.
            if (!cause.isHardError() && !cause.isInitiatedByApplication()) {
              restartLater("the broker closed its channel: " + AmqpErrors.describe(cause));
            }
          });
      opened.basicConsume(
          queue,
          false,
          consumerTag,
          (tag, delivery) -> handleSafely(opened, delivery),
          tag -> restartLater("the broker cancelled it; was the queue deleted?"));
    } catch (IOException | RuntimeException e) {
      abort(opened);
      throw e;
    }
    channel = opened;
  }

  private void handleSafely(Channel on, Delivery delivery) {
    try {
      handler.handle(on, delivery);
    } catch (IOException | RuntimeException e) {
      log.error("cannot handle a delivery from {}; requeueing it", queue, e);
      try {
        Thread.sleep(PAUSE_BEFORE_REQUEUE.toMillis());
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
      }
      try {
        on.basicNack(delivery.getEnvelope().getDeliveryTag(), false, true);
      } catch (IOException | RuntimeException nackFailed) {
        log.warn("cannot requeue a delivery from {}: {}", queue, nackFailed.toString());
      }
    }
  }

  /**
   * Schedules a restart. Called on the client's threads (a shutdown listener runs on the
   * connection's), where no channel operation may wait for the broker.
   */
  private void restartLater(String why) {
    if (closed || !restarting.compareAndSet(false, true)) {
      return;
    }
    stoppedBecause = why;
    log.warn(
        "consumer {} of {} stopped: {}; consuming again in {} ms",
        consumerTag,
        queue,
        why,
        firstRetry.toMillis());
    schedule(firstRetry);
  }

  private void schedule(Duration delay) {
    try {
      restarter.schedule(this::restart, delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // Closed meanwhile.
    }
  }

  private void restart() {
    if (closed) {
      return;
    }
    // Also makes the recovering connection forget the old channel and its consumer.
    abort(channel);
    try {
      consume();
      if (closed) {
        // close() ran meanwhile and may have missed the new channel.
        abort(channel);
        return;
      }
      stoppedBecause = null;
      restarting.set(false);
      nextRetry = firstRetry;
      log.info("consumer {} consumes {} again", consumerTag, queue);
    } catch (IOException | RuntimeException e) {
      nextRetry = min(nextRetry.multipliedBy(2), lastRetry);
      stoppedBecause = "cannot consume it again: " + AmqpErrors.describe(e);
      log.warn(
          "cannot consume {} again ({}); trying again in {} ms",
          queue,
          AmqpErrors.describe(e),
          nextRetry.toMillis());
      schedule(nextRetry);
    }
  }

  /**
   * Why the consumer does not consume now: from the moment the broker stopped it until it consumes
   * again, for a health check. Empty while it consumes, and once closed.
   */
  public Optional<String> problem() {
    String why = stoppedBecause;
    return closed || why == null
        ? Optional.empty()
        : Optional.of("not consuming " + queue + " (" + why + ")");
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  private static void abort(Channel channel) {
    if (channel != null) {
      try {
        channel.abort();
      } catch (IOException | RuntimeException e) {
        // Closed either way.
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    restarter.shutdownNow();
    Channel open = channel;
    if (open != null) {
      try {
        // Closing, not aborting: the broker requeues what is unacked once the close completes.
        open.close();
      } catch (IOException
          | java.util.concurrent.TimeoutException
          | com.rabbitmq.client.AlreadyClosedException e) {
        // Closed already, by the broker or with the connection.
      }
    }
  }
}
