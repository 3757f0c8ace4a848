package io.pgshuttle.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;

/**
 * Reads a stream of Server-Sent Events on a daemon thread of its own and runs an action for each
 * event (each line that starts with {@code data:}; the coordinator's events are one line each),
 * until {@link #close()}. An answer other than 200, a failed connection or a broken stream ends it
 * quietly, and a stream the coordinator ended looks idle: the watch is a hint, and its caller polls
 * as well (see {@link CoordinatorApi#onEachEvent}). Thread-safe.
 *
 * <p>Once the answer came, the thread takes only what the connection holds already, and sleeps
 * {@value #IDLE_MILLIS} ms when it holds nothing, instead of waiting in a read. A thread waiting in
 * a read waits in the kernel, and a JDK 17 JVM that exits then waits up to 300 ms for it; a read
 * also holds the stream's lock, which {@link HttpURLConnection#disconnect()} takes, so no other
 * thread could end it.
 */
final class EventStreamWatch implements CoordinatorApi.EventWatch {
  private static final int IDLE_MILLIS = 50;
  private static final byte[] DATA = "data:".getBytes(StandardCharsets.US_ASCII);

  private final HttpURLConnection stream;
  private final Runnable action;
  private volatile boolean closed;
  private int matched; // bytes of DATA matched at the start of the current line; -1: not a match

  private EventStreamWatch(HttpURLConnection stream, Runnable action) {
    this.stream = stream;
    this.action = action;
  }

  /** Connects {@code stream} (set up, not yet connected) and starts reading its answer. */
  static EventStreamWatch start(HttpURLConnection stream, Runnable action) {
    EventStreamWatch watch = new EventStreamWatch(stream, action);
    Thread reader = new Thread(watch::read, "pgshuttle-event-watch");
    reader.setDaemon(true);
    reader.start();
    return watch;
  }

  private void read() {
    try {
      if (stream.getResponseCode() != 200) {
        return;
      }
      InputStream in = stream.getInputStream();
      byte[] buffer = new byte[8192];
      while (!closed) {
        int ready = in.available();
        if (ready == 0) {
          Thread.sleep(IDLE_MILLIS);
        } else {
          int read = in.read(buffer, 0, Math.min(ready, buffer.length));
          if (read < 0) {
            return;
          }
          scan(buffer, read);
        }
      }
    } catch (IOException e) {
      // Refused, unreachable or dropped: the caller's polling goes on without the hints.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      stream.disconnect();
    }
  }

  /** Runs the action for each line that starts with {@code data:} in {@code bytes[0, length)}. */
  private void scan(byte[] bytes, int length) {
    for (int i = 0; i < length; i++) {
      byte b = bytes[i];
      if (b == '\n') {
        matched = 0;
      } else if (matched >= 0 && matched < DATA.length) {
        matched = b == DATA[matched] ? matched + 1 : -1;
        if (matched == DATA.length) {
          action.run();
        }
      }
    }
  }

  /** Ends the stream within {@value #IDLE_MILLIS} ms; the reading thread closes the connection. */
  @Override
  public void close() {
    closed = true;
  }
}
