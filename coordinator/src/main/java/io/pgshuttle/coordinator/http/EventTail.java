package io.pgshuttle.coordinator.http;

import io.pgshuttle.coordinator.store.Database;
import io.pgshuttle.coordinator.store.EventFilter;
import io.pgshuttle.coordinator.store.EventKey;
import io.pgshuttle.coordinator.store.EventLog;
import io.pgshuttle.coordinator.store.StoreException;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells event streams when the store has new events for them. One thread listens for the store's
 * notification (channel {@value #CHANNEL}, sent when events commit), reads the keys of the new
 * events once, and wakes each {@link Subscription} whose filter one of them passes: a stream with
 * nothing new costs nothing but that check, and with no stream open only the last position is read.
 * Without a notification it looks every {@link #POLL} anyway, and after losing its connection it
 * reconnects, so a lost notification only delays a wake-up. A wake-up is a hint: a stream reads its
 * events from the store itself. Thread-safe.
 */
@Singleton
public final class EventTail implements AutoCloseable {
  /** The channel the store notifies when events commit (see {@code V4__event_positions.sql}). */
  static final String CHANNEL = "pgshuttle_events";

  private static final Logger log = LoggerFactory.getLogger(EventTail.class);
  private static final Duration POLL = Duration.ofSeconds(5);
  private static final Duration RECONNECT_PAUSE = Duration.ofSeconds(1);
  private static final int BATCH = 1000;

  private final Database database;
  private final EventLog events;
  private final Set<Subscription> subscriptions = ConcurrentHashMap.newKeySet();
  private Thread thread;
  private volatile boolean closed;
  private volatile Connection listening;

  @Inject
  public EventTail(Database database, EventLog events) {
    this.database = database;
    this.events = events;
  }

  /**
   * Starts following the store from its last event: a stream subscribed from now on is woken for
   * every event committed after its subscription. The store must be open.
   *
   * @throws StoreException if the store cannot tell its last event
   */
  public synchronized void start() {
    if (thread != null || closed) {
      throw new IllegalStateException("the event tail starts once");
    }
    long head = database.inTransaction(events::lastPosition);
    thread = new Thread(() -> follow(head), "pgshuttle-event-tail");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Subscribes to wake-ups for events that pass {@code filter}; close the subscription when done.
   */
  public Subscription subscribe(EventFilter filter) {
    Subscription subscription = new Subscription(filter);
    subscriptions.add(subscription);
    return subscription;
  }

  private void follow(long start) {
    long head = start;
    Connection connection = null;
    while (!closed) {
      try {
        if (connection == null) {
          connection = listen();
        }
        connection.unwrap(PGConnection.class).getNotifications((int) POLL.toMillis());
        head = wakeSubscribers(head);
      } catch (SQLException | StoreException e) {
        if (closed) {
          break;
        }
        log.warn(
            "cannot follow the status store's events ({}); trying again in {} s",
            e.getMessage(),
            RECONNECT_PAUSE.toSeconds());
        closeQuietly(connection);
        connection = null;
        try {
          Thread.sleep(RECONNECT_PAUSE.toMillis());
        } catch (InterruptedException interrupted) {
          break;
        }
      }
    }
    closeQuietly(connection);
  }

  private Connection listen() throws SQLException {
    Connection connection = database.connectOutsidePool();
    listening = connection;
    try (Statement statement = connection.createStatement()) {
      statement.execute("LISTEN " + CHANNEL);
    }
    if (closed) {
      closeQuietly(connection);
      throw new SQLException("the event tail is closed");
    }
    return connection;
  }

  /** Wakes the subscribers of the events after {@code head}; returns the new head. */
  private long wakeSubscribers(long head) {
    if (subscriptions.isEmpty()) {
      // Nobody to wake: skip to the last event instead of reading every key. Read before looking
      // again, so a stream that subscribed meanwhile still gets the events committed after it.
      long latest = database.inTransaction(events::lastPosition);
      if (subscriptions.isEmpty()) {
        return Math.max(head, latest);
      }
    }
    long last = head;
    List<EventKey> keys;
    do {
      long after = last;
      keys = database.inTransaction(connection -> events.keysAfter(connection, after, BATCH));
      for (Subscription subscription : subscriptions) {
        if (keys.stream().anyMatch(subscription.filter::matches)) {
          subscription.wake();
        }
      }
      if (!keys.isEmpty()) {
        last = keys.get(keys.size() - 1).position();
      }
    } while (keys.size() == BATCH);
    return last;
  }

  /**
   * Stops following; open subscriptions are woken once more, so that their streams look at why, and
   * no longer after. Idempotent.
   */
  @Override
  public synchronized void close() {
    closed = true;
    subscriptions.forEach(Subscription::wake);
    Connection connection = listening;
    if (connection != null) {
      try {
        // Ends a wait for notifications at once, which close() would wait out.
        connection.abort(Runnable::run);
      } catch (SQLException e) {
        log.debug("cannot abort the event tail's connection: {}", e.getMessage());
      }
    }
    if (thread != null) {
      thread.interrupt();
    }
  }

  private static void closeQuietly(Connection connection) {
    if (connection == null) {
      return;
    }
    try {
      connection.close();
    } catch (SQLException ignored) {
      // The connection is broken already; nothing is left to release.
    }
  }

  /**
   * One stream's wake-ups: {@link #await} returns once an event the stream's filter passes was
   * stored since the last wake-up. Wake-ups that come while the stream is busy fold into one.
   * Thread-safe.
   */
  public final class Subscription implements AutoCloseable {
    private final EventFilter filter;
    private final BlockingQueue<Boolean> wakeUps = new ArrayBlockingQueue<>(1);

    private Subscription(EventFilter filter) {
      this.filter = filter;
    }

    private void wake() {
      wakeUps.offer(Boolean.TRUE);
    }

    /**
     * Waits up to {@code timeout} for a wake-up.
     *
     * @return whether it was woken (false when the time ran out)
     */
    public boolean await(Duration timeout) throws InterruptedException {
      return wakeUps.poll(timeout.toNanos(), TimeUnit.NANOSECONDS) != null;
    }

    @Override
    public void close() {
      subscriptions.remove(this);
    }
  }
}
