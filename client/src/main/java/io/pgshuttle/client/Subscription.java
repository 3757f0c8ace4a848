package io.pgshuttle.client;

import java.util.Optional;

/**
 * A running subscription to pgshuttle's events through a durable queue of the control plane's own
 * (see {@link PgShuttleClient#subscribe}). Its connection recovers by itself after a broker restart
 * or a network failure, and consuming resumes; so it does when the broker closes its channel alone
 * or deletes its queue (the queue is declared again). Thread-safe.
 *
 * <p>Closing stops consuming and closes the connection, but keeps the queue and its binding: the
 * events published while no one consumes wait in the queue, and a new subscription with the same
 * queue name gets them.
 */
public interface Subscription extends AutoCloseable {
  /** The queue this subscription consumes. */
  String queue();

  /**
   * Why the subscription does not consume now, for a control plane's health check: its connection
   * is down, or the broker stopped its consumer and it has not consumed again yet (such as while a
   * queue of its name is declared with other arguments). It keeps trying by itself either way.
   * Empty while it consumes, and once closed.
   */
  Optional<String> problem();

  /**
   * Stops consuming and closes the connection. An event whose handler runs is finished and acked
   * first (so a handler must not wait for its own subscription to close); the events delivered but
   * not handled yet go back to the queue. Idempotent.
   */
  @Override
  void close();
}
