package io.pgshuttle.client;

/**
 * A running subscription to pgshuttle's events through a durable queue of the control plane's own
 * (see {@link PgShuttleClient#subscribe}). Its connection recovers by itself after a broker restart
 * or a network failure, and consuming resumes. Thread-safe.
 *
 * <p>Closing stops consuming and closes the connection, but keeps the queue and its binding: the
 * events published while no one consumes wait in the queue, and a new subscription with the same
 * queue name gets them.
 */
public interface Subscription extends AutoCloseable {
  /** The queue this subscription consumes. */
  String queue();

  /**
   * Stops consuming and closes the connection. Messages not acked go back to the queue, including
   * one whose handler is still running: the next subscription gets it again. Idempotent.
   */
  @Override
  void close();
}
