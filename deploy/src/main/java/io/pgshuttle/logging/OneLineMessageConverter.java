package io.pgshuttle.logging;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * {@code %oneLineMsg}: the formatted message with line breaks and other control characters shown as
 * escapes ({@code \n}, {@code \r}, {@code \t}, {@code \}{@code uXXXX}). Names and error texts that
 * reach a log come from outside (database names, tool output, broker messages); written as they
 * are, a newline in one forges a log line and an escape sequence drives the terminal that shows it.
 * Thread-safe and stateless, as Logback requires of converters.
 */
public final class OneLineMessageConverter extends ClassicConverter {

  @Override
  public String convert(ILoggingEvent event) {
    return escape(event.getFormattedMessage());
  }

  static String escape(String message) {
    if (message == null || message.chars().noneMatch(OneLineMessageConverter::needsEscape)) {
      return message;
    }
    StringBuilder escaped = new StringBuilder(message.length() + 16);
    message
        .chars()
        .forEach(
            c -> {
              switch (c) {
                case '\n' -> escaped.append("\\n");
                case '\r' -> escaped.append("\\r");
                case '\t' -> escaped.append("\\t");
                default -> {
                  if (needsEscape(c)) {
                    escaped.append(String.format("\\u%04x", c));
                  } else {
                    escaped.append((char) c);
                  }
                }
              }
            });
    return escaped.toString();
  }

  private static boolean needsEscape(int c) {
    return Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
  }
}
