package io.pgshuttle.coordinator;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a Server-Sent Events stream the way a browser's EventSource does, line by line and
 * blocking. Not thread-safe.
 */
final class EventStreamClient implements AutoCloseable {
  private final HttpResponse<InputStream> response;
  private final BufferedReader lines;

  EventStreamClient(HttpResponse<InputStream> response) {
    this.response = response;
    this.lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
  }

  /** One event as sent: its id, its event name and its data lines joined by line breaks. */
  record Sse(String id, String event, String data) {}

  int status() {
    return response.statusCode();
  }

  String contentType() {
    return response.headers().firstValue("Content-Type").orElse("");
  }

  /** The whole body, for an answer that is not a stream. */
  String body() throws IOException {
    return new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
  }

  /** The next event, waiting for it; null when the stream ended. Comments are skipped. */
  Sse next() throws IOException {
    String id = null;
    String event = null;
    List<String> data = new ArrayList<>();
    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
      if (line.isEmpty()) {
        if (!data.isEmpty()) {
          return new Sse(id, event, String.join("\n", data));
        }
      } else if (line.startsWith("id: ")) {
        id = line.substring(4);
      } else if (line.startsWith("event: ")) {
        event = line.substring(7);
      } else if (line.startsWith("data: ")) {
        data.add(line.substring(6));
      }
    }
    return null;
  }

  /** The next {@code count} events. */
  List<Sse> next(int count) throws IOException {
    List<Sse> events = new ArrayList<>();
    while (events.size() < count) {
      Sse event = next();
      if (event == null) {
        throw new AssertionError("the stream ended after " + events.size() + " of " + count);
      }
      events.add(event);
    }
    return events;
  }

  /** The next line that is not blank, such as a comment, waiting for it; null at the end. */
  String nextLine() throws IOException {
    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
      if (!line.isEmpty()) {
        return line;
      }
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    lines.close();
  }
}
