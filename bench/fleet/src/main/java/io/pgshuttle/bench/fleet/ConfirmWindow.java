package io.pgshuttle.bench.fleet;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.io.IOException;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes persistent messages on a channel of its own with publisher confirms, up to {@code
 * window} unconfirmed at a time, the way a fast producer does (PerfTest's {@code -c}). Counts what
 * the broker confirmed and what it refused; a message counts as published only once confirmed.
 * Thread-safe: publishes are serialized on this object, confirms arrive on the client's thread.
 */
final class ConfirmWindow implements AutoCloseable {
  private final Channel channel;
  private final Semaphore window;
  private final ConcurrentNavigableMap<Long, Boolean> outstanding = new ConcurrentSkipListMap<>();
  private final AtomicLong confirmed = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();

  ConfirmWindow(Connection connection, int window) throws IOException {
    this.channel = connection.createChannel();
    this.window = new Semaphore(window);
    channel.confirmSelect();
    channel.addConfirmListener(
        (tag, multiple) -> settle(tag, multiple, confirmed),
        (tag, multiple) -> settle(tag, multiple, refused));
  }

  private void settle(long tag, boolean multiple, AtomicLong counter) {
    // Several confirms may settle at once (multiple=true): count and free each of them.
    ConcurrentNavigableMap<Long, Boolean> settled =
        multiple ? outstanding.headMap(tag, true) : outstanding.subMap(tag, true, tag, true);
    int count = 0;
    for (Long key : settled.keySet()) {
      if (outstanding.remove(key) != null) {
        count++;
      }
    }
    counter.addAndGet(count);
    window.release(count);
  }

  /** Publishes {@code body}, waiting while the window is full. */
  synchronized void publish(
      String exchange, String routingKey, AMQP.BasicProperties properties, byte[] body)
      throws IOException, InterruptedException {
    window.acquire();
    outstanding.put(channel.getNextPublishSeqNo(), Boolean.TRUE);
    channel.basicPublish(exchange, routingKey, false, properties, body);
  }

  /** Waits up to {@code millis} until every message published so far is confirmed or refused. */
  boolean awaitSettled(long millis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (!outstanding.isEmpty()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(5);
    }
    return true;
  }

  long confirmed() {
    return confirmed.get();
  }

  long refused() {
    return refused.get();
  }

  @Override
  public void close() throws Exception {
    if (channel.isOpen()) {
      channel.close();
    }
  }
}
