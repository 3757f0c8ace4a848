package io.pgshuttle.coordinator.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import io.pgshuttle.coordinator.store.Database;
import io.pgshuttle.coordinator.store.EventFilter;
import io.pgshuttle.coordinator.store.EventLog;
import io.pgshuttle.coordinator.store.StatusQueries;
import io.pgshuttle.coordinator.store.StoreException;
import io.pgshuttle.coordinator.store.StoredEvent;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.Names;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event streams of the HTTP API, as Server-Sent Events ({@code text/event-stream}):
 *
 * <ul>
 *   <li>{@code GET /v1/migrations/{id}/events?after=}: the migration's events; 400 for an id that
 *       is not a UUID, 404 for an unknown one.
 *   <li>{@code GET /v1/events?instance=&type=&after=}: every migration's events, or those of one
 *       instance and of one event type; 400 for a bad or unknown parameter.
 * </ul>
 *
 * Past events come first, then live ones, each once and by position: {@code id:} is the event's
 * store-wide position, {@code event:} its type, {@code data:} its envelope as stored. A request
 * with header {@code Last-Event-ID: <position>} resumes after that position (400 unless it is a
 * whole number of 0 or more); without it, {@code after=<position>} does the same, and {@code
 * after=latest} starts after the newest event stored, sending first a frame of only {@code id:
 * <that position>} so that a client reconnecting with the last id it saw misses nothing. A comment
 * line {@code : keepalive} goes out after {@link #KEEPALIVE} without events. Errors are JSON {@code
 * {"error": "..."}}.
 *
 * <p>Each stream runs on a thread of its own, so streams never hold the threads of the other
 * endpoints; at most {@link #MAX_STREAMS} run at once, and a request for one more gets 503. A
 * stream ends when its client goes (found out at the next write, at the latest at the next
 * keepalive), or when the coordinator closes, and a client reconnects with {@code Last-Event-ID}.
 * Thread-safe.
 */
@Singleton
public final class EventStreams implements Resource, AutoCloseable {
  private static final int MAX_STREAMS = 64;
  private static final Duration KEEPALIVE = Duration.ofSeconds(15);

  private static final Logger log = LoggerFactory.getLogger(EventStreams.class);
  private static final String EVENTS = "/v1/events";
  private static final Pattern MIGRATION_EVENTS = Pattern.compile("/v1/migrations/([^/]+)/events");
  private static final String EXAMPLE_ID = "123e4567-e89b-12d3-a456-426614174000";
  private static final Pattern POSITION = Pattern.compile("\\d{1,18}");
  private static final String AFTER = "after";
  private static final String LATEST = "latest";
  private static final Pattern LINE_BREAK = Pattern.compile("\r\n|\r|\n");
  private static final List<String> EVENT_TYPES =
      Arrays.stream(Event.class.getPermittedSubclasses()).map(MessageCodec::typeName).toList();
  private static final byte[] KEEPALIVE_COMMENT =
      ": keepalive\n\n".getBytes(StandardCharsets.UTF_8);
  private static final int PAGE = 500;
  private static final Duration STOP_WAIT = Duration.ofSeconds(2);

  private final Database database;
  private final EventLog events;
  private final StatusQueries queries;
  private final EventTail tail;
  private final ObjectMapper mapper;
  private final Semaphore slots = new Semaphore(MAX_STREAMS);
  private final ExecutorService streams;
  private volatile boolean closing;

  @Inject
  public EventStreams(
      Database database,
      EventLog events,
      StatusQueries queries,
      EventTail tail,
      ObjectMapper mapper) {
    this.database = database;
    this.events = events;
    this.queries = queries;
    this.tail = tail;
    this.mapper = mapper;
    AtomicInteger threads = new AtomicInteger();
    this.streams =
        Executors.newCachedThreadPool(
            runnable -> {
              Thread thread =
                  new Thread(runnable, "pgshuttle-event-stream-" + threads.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
  }

  /** Both streams need a read token; the route table checks it before a stream is handed over. */
  @Override
  public List<Route> routes() {
    Route.Handler handOver =
        request -> {
          Map<String, String> parameters = request.parameters();
          return ApiResponse.handOver(exchange -> serve(exchange, parameters));
        };
    return List.of(
        Route.read("GET", EVENTS, handOver),
        Route.read("GET", "/v1/migrations/{id}/events", handOver));
  }

  /** Starts following the store's events. The store must be open. */
  public void start() {
    tail.start();
  }

  /**
   * Which events a stream sends: those that pass the filter, after the position; {@code announce}
   * when the client did not name the position, which the stream then sends first.
   */
  private record Request(EventFilter filter, long after, boolean announce) {}

  /** A request answered with an error instead of a stream. */
  private static final class Refused extends Exception {
    private final int status;

    Refused(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  /**
   * Answers a request for a stream: refuses it at once, or hands it to a stream thread of its own,
   * which ends the exchange. Returns promptly either way.
   */
  private void serve(HttpExchange exchange, Map<String, String> parameters) throws IOException {
    Request request;
    try {
      request = request(exchange, parameters);
      if (!slots.tryAcquire()) {
        exchange.getResponseHeaders().set("Retry-After", "5");
        throw new Refused(
            503, MAX_STREAMS + " event streams are open already, the most there may be: try later");
      }
    } catch (Refused e) {
      refuse(exchange, e);
      return;
    } catch (StoreException e) {
      log.warn("cannot open an event stream for {}: {}", exchange.getRequestURI(), e.getMessage());
      refuse(exchange, new Refused(503, "the status store cannot answer now: " + e.getMessage()));
      return;
    }
    try {
      streams.execute(() -> stream(exchange, request));
    } catch (RejectedExecutionException e) {
      slots.release();
      refuse(exchange, new Refused(503, "the coordinator is stopping: try again later"));
    }
  }

  private Request request(HttpExchange exchange, Map<String, String> parameters) throws Refused {
    String path = exchange.getRequestURI().getPath();
    Matcher migration = MIGRATION_EVENTS.matcher(path);
    EventFilter filter;
    if (migration.matches()) {
      known(parameters, Set.of(AFTER));
      MigrationId id = migrationId(migration.group(1));
      if (queries.find(id).isEmpty()) {
        throw new Refused(404, "no migration " + id);
      }
      filter = new EventFilter(id, null, null);
    } else {
      known(parameters, Set.of("instance", "type", AFTER));
      filter =
          new EventFilter(null, instance(parameters.get("instance")), type(parameters.get("type")));
    }
    String lastEventId = exchange.getRequestHeaders().getFirst("Last-Event-ID");
    if (lastEventId != null && !lastEventId.isBlank()) {
      // A reconnect: the header holds a later position than the URL the client opened first.
      return new Request(filter, position("Last-Event-ID", lastEventId), false);
    }
    String after = parameters.get(AFTER);
    if (LATEST.equals(after)) {
      // Positions become visible in order, so none below the newest is still to come.
      return new Request(filter, database.inTransaction(events::lastPosition), true);
    }
    return new Request(
        filter, after == null || after.isEmpty() ? 0 : position(AFTER, after), false);
  }

  /** The position that {@code source} (the header or the parameter) names. */
  private static long position(String source, String value) throws Refused {
    String text = value.strip();
    if (!POSITION.matcher(text).matches()) {
      throw new Refused(
          400,
          source
              + " must be the id of an event a stream sent (a whole number of 0 or more)"
              + (source.equals(AFTER) ? " or 'latest'" : "")
              + ", not '"
              + text
              + "': send it as it came, or leave it out to start from the first event");
    }
    return Long.parseLong(text);
  }

  private static MigrationId migrationId(String id) throws Refused {
    try {
      return MigrationId.parse(id);
    } catch (IllegalArgumentException e) {
      throw new Refused(
          400, "'" + id + "' is not a migration id: expected a UUID such as " + EXAMPLE_ID);
    }
  }

  private static String instance(String instance) throws Refused {
    if (instance == null || instance.isEmpty()) {
      return null;
    }
    if (!Names.isValidInstanceId(instance)) {
      throw new Refused(
          400,
          "instance '"
              + instance
              + "' is invalid: use 1 to 63 letters, digits, '_' or '-', starting with a letter or"
              + " digit");
    }
    return instance;
  }

  private static String type(String type) throws Refused {
    if (type == null || type.isEmpty()) {
      return null;
    }
    if (!EVENT_TYPES.contains(type)) {
      throw new Refused(400, "type '" + type + "' is not an event type: use one of " + EVENT_TYPES);
    }
    return type;
  }

  /** The query's parameters, which must be of the {@code known} names. */
  private static void known(Map<String, String> parameters, Set<String> known) throws Refused {
    for (String name : parameters.keySet()) {
      if (!known.contains(name)) {
        throw new Refused(
            400,
            known.isEmpty()
                ? "this stream takes no parameter, not '" + name + "'"
                : "unknown parameter '"
                    + name
                    + "': use "
                    + String.join(" or ", known.stream().sorted().toList()));
      }
    }
  }

  private void refuse(HttpExchange exchange, Refused refused) throws IOException {
    try (exchange) {
      byte[] body;
      try {
        body = mapper.writeValueAsBytes(Map.of("error", refused.getMessage()));
      } catch (JsonProcessingException e) {
        throw new IOException("cannot write the error as JSON", e);
      }
      exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
      exchange.sendResponseHeaders(refused.status, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /** Sends the events of {@code request} until the client goes or the coordinator closes. */
  private void stream(HttpExchange exchange, Request request) {
    boolean interrupted = false;
    try (EventTail.Subscription subscription = tail.subscribe(request.filter())) {
      exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
      exchange.getResponseHeaders().set("Cache-Control", "no-cache");
      exchange.sendResponseHeaders(200, 0);
      OutputStream out = exchange.getResponseBody();
      long last = request.after();
      if (request.announce()) {
        out.write(("id: " + last + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
      long lastWrite = System.nanoTime();
      while (!closing && !Thread.currentThread().isInterrupted()) {
        long after = last;
        List<StoredEvent> page =
            database.inTransaction(
                connection -> events.after(connection, request.filter(), after, PAGE));
        if (!page.isEmpty()) {
          out.write(frames(page));
          out.flush();
          last = page.get(page.size() - 1).position();
          lastWrite = System.nanoTime();
          if (page.size() == PAGE) {
            continue;
          }
        }
        long quiet = KEEPALIVE.toNanos() - (System.nanoTime() - lastWrite);
        if (quiet <= 0) {
          out.write(KEEPALIVE_COMMENT);
          out.flush();
          lastWrite = System.nanoTime();
        } else {
          subscription.await(Duration.ofNanos(quiet));
        }
      }
    } catch (IOException e) {
      log.debug("event stream {} ended: {}", exchange.getRequestURI(), e.toString());
    } catch (InterruptedException e) {
      interrupted = true;
    } catch (StoreException e) {
      // The client reconnects with Last-Event-ID once the store is back.
      log.warn("event stream {} ends: {}", exchange.getRequestURI(), e.getMessage());
    } catch (RuntimeException e) {
      log.error("event stream {} failed", exchange.getRequestURI(), e);
    } finally {
      // Closing the exchange sends the stream's last chunk, but on an interrupted thread the
      // server's NIO channel would just be cut: a stream close() had to interrupt clears the flag
      // for the close, whichever way the loop ended, and sets it again after.
      interrupted |= Thread.interrupted();
      exchange.close();
      slots.release();
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The events as SSE frames; a line break in an envelope continues its data on a new line. */
  private static byte[] frames(List<StoredEvent> page) {
    ByteArrayOutputStream frames = new ByteArrayOutputStream();
    StringBuilder frame = new StringBuilder();
    for (StoredEvent event : page) {
      frame.setLength(0);
      frame.append("id: ").append(event.position()).append('\n');
      frame.append("event: ").append(event.type()).append('\n');
      for (String line : LINE_BREAK.split(event.envelopeJson(), -1)) {
        frame.append("data: ").append(line).append('\n');
      }
      frame.append('\n');
      frames.writeBytes(frame.toString().getBytes(StandardCharsets.UTF_8));
    }
    return frames.toByteArray();
  }

  /**
   * Ends every stream (each client sees its stream end and may reconnect with {@code
   * Last-Event-ID}) and stops following the store. Idempotent.
   *
   * <p>Streams are asked to end and woken, not interrupted: an interrupt that lands in a write cuts
   * the server's NIO channel, and the client sees a broken stream instead of its end. Only a stream
   * still running after {@code STOP_WAIT} (stuck writing to a slow client) is interrupted.
   */
  @Override
  public void close() {
    closing = true;
    tail.close();
    streams.shutdown();
    try {
      if (!streams.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        streams.shutdownNow();
        if (!streams.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
          log.warn("event streams did not end within {} s", 2 * STOP_WAIT.toSeconds());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
