package io.pgshuttle.cli;

import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.MigrationId;
import java.time.Duration;
import java.util.Optional;

/** The events of one migration as they are published. */
public interface EventFeed {
  /**
   * Starts receiving the events of {@code migrationId}; events published after this returns are not
   * missed.
   *
   * @throws CliException if the broker cannot be reached
   */
  Subscription subscribe(MigrationId migrationId);

  /** Received events in arrival order. Used by one thread; {@link #close()} unsubscribes. */
  interface Subscription extends AutoCloseable {
    /** The next event, or empty if none arrived within {@code wait}. */
    Optional<Envelope<Event>> next(Duration wait) throws InterruptedException;

    @Override
    void close();
  }
}
