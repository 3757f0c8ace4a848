package io.pgshuttle.client.internal;

import java.util.Optional;

/**
 * Reads a Server-Sent Events stream line by line, as the HTML standard's event-stream
 * interpretation says: {@code id}, {@code event}, {@code data} (several lines join with a line
 * feed), {@code retry}; lines starting with {@code :} are comments (keepalives); a blank line
 * dispatches the event. Not thread-safe: one parser per connection.
 */
public final class SseParser {
  private final StringBuilder data = new StringBuilder();
  private boolean hasData;
  private String event;
  private String id;
  private boolean idInFrame;
  private Long retryMillis;

  /**
   * One event of the stream.
   *
   * @param id the last id the stream set, or null when it set none
   * @param event the event's type; {@code message} when the stream named none
   * @param data the data lines joined with line feeds; null for a frame that only set the id, which
   *     dispatches no event but moves the id a reconnect resumes after
   */
  public record Message(String id, String event, String data) {}

  /**
   * Takes one line, without its line ending.
   *
   * @return the event a blank line completes; empty otherwise
   */
  public Optional<Message> line(String line) {
    if (line.isEmpty()) {
      return dispatch();
    }
    if (line.startsWith(":")) {
      return Optional.empty();
    }
    int colon = line.indexOf(':');
    String field = colon < 0 ? line : line.substring(0, colon);
    String value = colon < 0 ? "" : line.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    switch (field) {
      case "data" -> {
        if (hasData) {
          data.append('\n');
        }
        data.append(value);
        hasData = true;
      }
      case "event" -> event = value;
      case "id" -> {
        if (value.indexOf('\0') < 0) {
          id = value;
          idInFrame = true;
        }
      }
      case "retry" -> {
        if (!value.isEmpty() && value.chars().allMatch(Character::isDigit)) {
          retryMillis = Long.parseLong(value);
        }
      }
      default -> {
        // The standard says to ignore other fields.
      }
    }
    return Optional.empty();
  }

  /** The reconnection delay the stream asked for, in milliseconds; null when it asked none. */
  public Long retryMillis() {
    return retryMillis;
  }

  private Optional<Message> dispatch() {
    String type = event == null || event.isEmpty() ? "message" : event;
    event = null;
    boolean idMoved = idInFrame;
    idInFrame = false;
    if (!hasData) {
      return idMoved ? Optional.of(new Message(id, type, null)) : Optional.empty();
    }
    Message message = new Message(id, type, data.toString());
    data.setLength(0);
    hasData = false;
    return Optional.of(message);
  }
}
