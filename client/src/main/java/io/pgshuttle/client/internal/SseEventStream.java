package io.pgshuttle.client.internal;

import io.pgshuttle.client.EventStream;
import io.pgshuttle.client.PermanentClientException;
import io.pgshuttle.client.PgShuttleClientException;
import io.pgshuttle.client.StreamedEvent;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MessageDecodingException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An {@link EventStream} read by a thread of its own, which connects again after the last event it
 * read whenever the connection ends, waiting the stream's {@code retry} (else the configured delay)
 * in between. Thread-safe.
 */
public final class SseEventStream implements EventStream {
  private final HttpTransport transport;
  private final CoordinatorCalls calls;
  private final Answers answers;
  private final MessageCodec codec;
  private final String path;
  private final Map<String, String> query;
  private final Duration reconnectDelay;
  private final BlockingQueue<Item> items = new LinkedBlockingQueue<>();
  private final Thread reader;
  private volatile boolean closed;
  private volatile InputStream current;
  private Long readerPosition;
  private volatile Long returnedPosition;
  private boolean ended;

  /**
   * What the reader thread hands the caller: an event, an error that may end the stream, or (both
   * null) only the position the stream says it is at.
   */
  private record Item(
      StreamedEvent event, PgShuttleClientException error, boolean last, long position) {}

  /**
   * Starts reading {@code path} after {@code after} (null: from the first event).
   *
   * @param reconnectDelay the wait before connecting again, unless the stream asks for another
   */
  public SseEventStream(
      HttpTransport transport,
      CoordinatorCalls calls,
      Answers answers,
      MessageCodec codec,
      String path,
      Map<String, String> query,
      Long after,
      Duration reconnectDelay) {
    this.transport = transport;
    this.calls = calls;
    this.answers = answers;
    this.codec = codec;
    this.path = path;
    this.query = Collections.unmodifiableMap(new LinkedHashMap<>(query));
    this.reconnectDelay = reconnectDelay;
    this.readerPosition = after;
    this.returnedPosition = after;
    this.reader = new Thread(this::readUntilClosed, "pgshuttle-client-events");
    reader.setDaemon(true);
    reader.start();
  }

  @Override
  public synchronized Optional<StreamedEvent> next(Duration wait) throws InterruptedException {
    if (closed) {
      throw new IllegalStateException("the event stream is closed");
    }
    if (ended) {
      throw new IllegalStateException("the event stream ended with an error reported before");
    }
    long deadline = System.nanoTime() + wait.toNanos();
    for (; ; ) {
      Item item = items.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (item == null) {
        return Optional.empty();
      }
      if (item.error() != null) {
        ended = item.last();
        throw item.error();
      }
      returnedPosition = item.position();
      if (item.event() != null) {
        return Optional.of(item.event());
      }
    }
  }

  @Override
  public OptionalLong lastEventId() {
    Long returned = returnedPosition;
    return returned == null ? OptionalLong.empty() : OptionalLong.of(returned);
  }

  private void readUntilClosed() {
    while (!closed) {
      long delay = reconnectDelay.toMillis();
      HttpCall call = calls.stream(path, query, readerPosition);
      try {
        HttpTransport.StreamingAnswer answer = transport.open(call);
        if (answer.status() != 200) {
          String body;
          try (InputStream in = answer.body()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
          }
          PgShuttleClientException failure = answers.failure(call, answer.status(), body);
          if (!failure.retryable()) {
            items.add(new Item(null, failure, true, 0));
            return;
          }
        } else {
          Long asked = read(call, answer.body());
          delay = asked == null ? delay : asked;
        }
      } catch (IOException e) {
        // The connection failed or dropped: connect again after the delay.
      } catch (InterruptedException e) {
        return;
      }
      try {
        Thread.sleep(delay);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Reads one connection to its end; returns the reconnection delay the stream asked for. */
  private Long read(HttpCall call, InputStream body) throws IOException {
    current = body;
    if (closed) {
      body.close();
      return null;
    }
    SseParser parser = new SseParser();
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
      String line;
      while (!closed && (line = lines.readLine()) != null) {
        parser.line(line).ifPresent(message -> items.add(item(call, message)));
      }
    }
    return parser.retryMillis();
  }

  private Item item(HttpCall call, SseParser.Message message) {
    long position;
    try {
      position = Long.parseLong(message.id());
    } catch (NumberFormatException e) {
      return new Item(
          null,
          new PermanentClientException(
              call + " sent an event without a numeric id ('" + message.id() + "')", e),
          false,
          0);
    }
    readerPosition = position;
    if (message.data() == null) {
      return new Item(null, null, false, position);
    }
    try {
      Envelope<Event> envelope =
          codec.decode(message.data().getBytes(StandardCharsets.UTF_8), Event.class);
      return new Item(
          new StreamedEvent(position, message.event(), envelope), null, false, position);
    } catch (MessageDecodingException e) {
      return new Item(
          null,
          new PermanentClientException(
              "event " + position + " of " + call + " cannot be read: " + e.getMessage(), e),
          false,
          position);
    }
  }

  @Override
  public void close() {
    closed = true;
    reader.interrupt();
    InputStream body = current;
    if (body != null) {
      try {
        body.close();
      } catch (IOException e) {
        // Closing is all that is wanted of it.
      }
    }
  }
}
