package io.pgshuttle.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.stream.Stream;

/**
 * Reads a stream of Server-Sent Events on a daemon thread of its own and runs an action for each
 * event (each {@code data:} line; the coordinator's events are one line each), until the stream
 * ends or {@link #close()}. An answer other than 200, a failed connection or a dropped stream ends
 * it quietly: the watch is a hint, and its caller polls as well (see {@link
 * CoordinatorApi#onEachEvent}). Thread-safe.
 */
final class EventStreamWatch implements CoordinatorApi.EventWatch {
  private final HttpClient client;
  private final HttpRequest request;
  private final Runnable action;
  private final Thread reader;
  private volatile boolean closed;
  private volatile Stream<String> lines; // the answer's body, once it came

  private EventStreamWatch(HttpClient client, HttpRequest request, Runnable action) {
    this.client = client;
    this.request = request;
    this.action = action;
    this.reader = new Thread(this::read, "pgshuttle-event-watch");
    reader.setDaemon(true);
  }

  /** Sends {@code request} with {@code client} and starts reading its answer. */
  static EventStreamWatch start(HttpClient client, HttpRequest request, Runnable action) {
    EventStreamWatch watch = new EventStreamWatch(client, request, action);
    watch.reader.start();
    return watch;
  }

  private void read() {
    try {
      HttpResponse<Stream<String>> response =
          client.send(request, HttpResponse.BodyHandlers.ofLines());
      try (Stream<String> body = response.body()) {
        lines = body;
        if (response.statusCode() == 200 && !closed) {
          body.filter(line -> line.startsWith("data:")).forEach(line -> action.run());
        }
      }
    } catch (IOException | UncheckedIOException e) {
      // Refused, unreachable or dropped: the caller's polling goes on without the hints.
    } catch (InterruptedException e) {
      // Closed while waiting for the answer.
    }
  }

  /**
   * Ends the stream: closing the body ends a read that waits for the next line, and interrupting
   * the reader cancels a request still waiting for its answer.
   */
  @Override
  public void close() {
    closed = true;
    Stream<String> body = lines;
    if (body != null) {
      body.close();
    }
    reader.interrupt();
  }
}
