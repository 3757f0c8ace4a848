package io.pgshuttle.client;

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
   * Stops consuming and closes the connection. An event whose handler runs is finished and acked
   * first (so a handler must not wait for its own subscription to close); the events delivered but
   * not handled yet go back to the queue. Idempotent.
   */
  @Override
  void close();
}
