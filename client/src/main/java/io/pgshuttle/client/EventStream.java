package io.pgshuttle.client;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A live stream of events from the coordinator (Server-Sent Events): the past events first, then
 * live ones, each once. When the connection drops, the stream connects again by itself and resumes
 * after the last event it delivered ({@code Last-Event-ID}), so nothing is missed or repeated.
 *
 * <p>Thread-safe, but meant for one reader. A background thread of the stream reads the connection;
 * {@link #close()} stops it.
 */
public interface EventStream extends AutoCloseable {
  /**
   * The next event, waiting up to {@code wait} for it.
   *
   * @return empty when none came in time
   * @throws PermanentClientException when the coordinator refused the stream (the stream is over),
   *     or for an event it cannot decode (the stream goes on after it)
   * @throws IllegalStateException after {@link #close()}
   */
  Optional<StreamedEvent> next(Duration wait) throws InterruptedException;

  /**
   * The position of the last event {@link #next} returned (or the one the stream was opened after,
   * or, for {@link PgShuttleClient#streamNewEvents}, the one it started after, once {@link #next}
   * has been called); empty when there was none. Keep it to open a new stream later where this one
   * stopped.
   */
  OptionalLong lastEventId();

  /** Stops reading and closes the connection. Idempotent. */
  @Override
  void close();
}
