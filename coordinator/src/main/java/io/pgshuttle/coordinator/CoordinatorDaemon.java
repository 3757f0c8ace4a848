package io.pgshuttle.coordinator;

import io.pgshuttle.coordinator.broker.Broker;
import io.pgshuttle.coordinator.deadletter.DeadLetterConsumer;
import io.pgshuttle.coordinator.dispatch.DispatchLoop;
import io.pgshuttle.coordinator.events.CoordinatorEventKeys;
import io.pgshuttle.coordinator.events.EventConsumer;
import io.pgshuttle.coordinator.events.HeartbeatWatchdog;
import io.pgshuttle.coordinator.http.EventStreams;
import io.pgshuttle.coordinator.http.HttpApi;
import io.pgshuttle.coordinator.intake.RequestConsumer;
import io.pgshuttle.coordinator.store.Database;
import io.pgshuttle.coordinator.sweep.SweepScheduler;
import io.pgshuttle.security.MessageSigner;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator process: status store, broker connections, the dispatch loop, the event, request
 * and dead-letter consumers, the heartbeat watchdog, the sweep scheduler, the event streams and the
 * HTTP server. Start it once, close it once (closing again does nothing). Thread-safe.
 */
@Singleton
public final class CoordinatorDaemon implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CoordinatorDaemon.class);

  private final CoordinatorConfig config;
  private final Database database;
  private final Broker broker;
  private final DispatchLoop dispatch;
  private final EventConsumer events;
  private final RequestConsumer requests;
  private final DeadLetterConsumer deadLetters;
  private final HeartbeatWatchdog watchdog;
  private final SweepScheduler sweeps;
  private final EventStreams streams;
  private final HttpApi http;
  private final Provider<MessageSigner> signer;
  private final Provider<CoordinatorEventKeys> eventKeys;
  private boolean started;
  private boolean closed;

  @Inject
  public CoordinatorDaemon(
      CoordinatorConfig config,
      Database database,
      Broker broker,
      DispatchLoop dispatch,
      EventConsumer events,
      RequestConsumer requests,
      DeadLetterConsumer deadLetters,
      HeartbeatWatchdog watchdog,
      SweepScheduler sweeps,
      EventStreams streams,
      HttpApi http,
      Provider<MessageSigner> signer,
      Provider<CoordinatorEventKeys> eventKeys) {
    this.config = config;
    this.database = database;
    this.broker = broker;
    this.dispatch = dispatch;
    this.events = events;
    this.requests = requests;
    this.deadLetters = deadLetters;
    this.watchdog = watchdog;
    this.sweeps = sweeps;
    this.streams = streams;
    this.http = http;
    this.signer = signer;
    this.eventKeys = eventKeys;
  }

  /**
   * Connects to the store (migrating its schema) and the broker (declaring the coordinator's
   * topology), then starts dispatching, consuming events, requests and dead letters, watching
   * heartbeats, sweeping leftovers, following the store's events for event streams and serving
   * HTTP. Work left by an earlier run (due attempts, unpublished commands) is picked up.
   *
   * @throws io.pgshuttle.coordinator.store.StoreException if the store is unreachable or its schema
   *     cannot be migrated
   * @throws io.pgshuttle.amqp.AmqpException if the broker is unreachable
   * @throws UncheckedIOException if the HTTP port cannot be bound
   * @throws io.pgshuttle.security.KeyFileException if the signing key or an event key cannot be
   *     read
   * @throws IllegalStateException if started before, or closed
   */
  public synchronized void start() {
    if (started || closed) {
      throw new IllegalStateException("a coordinator daemon starts once");
    }
    started = true;
    try {
      log.info("commands are signed with key {}", signer.get().keyId());
      log.info("agents' events are authenticated with event keys {}", eventKeys.get().ids());
      database.open();
      broker.open();
      dispatch.start();
      events.start();
      requests.start();
      deadLetters.start();
      watchdog.start();
      sweeps.start();
      streams.start();
      http.start(config.httpPort());
    } catch (IOException e) {
      close();
      throw new UncheckedIOException(
          "cannot start the coordinator: " + e.getMessage() + " (check PGSHUTTLE_HTTP_PORT)", e);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    log.info(
        "coordinator started: namespace {}, store {}, HTTP port {}",
        config.namespace(),
        config.storeLocation(),
        http.port());
  }

  /**
   * The port the HTTP server listens on.
   *
   * @throws IllegalStateException if the daemon is not running
   */
  public synchronized int httpPort() {
    return http.port();
  }

  /** Stops everything, in the reverse order of {@link #start()}. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    streams.close();
    http.close();
    sweeps.close();
    watchdog.close();
    deadLetters.close();
    requests.close();
    events.close();
    dispatch.close();
    broker.close();
    database.close();
    log.info("coordinator stopped");
  }
}
