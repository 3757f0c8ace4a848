package io.pgshuttle.messages;

import java.time.Instant;
import java.time.LocalDate;
import java.time.Month;
import java.time.Year;

/**
 * Reads an instant as {@link Instant#parse} does, quickly for the form {@link Instant#toString}
 * writes ({@code yyyy-MM-ddTHH:mm:ss}, then none or 1 to 9 digits of fraction, then {@code Z}):
 * Instant.parse's formatter took a tenth of the coordinator's fold thread, one emittedAt per event.
 * Any other text goes to Instant.parse, so that what is accepted, and what is refused with which
 * exception, stays the same (InstantsTest holds the two together). Stateless.
 */
final class Instants {
  private static final int[] SCALE = {
    1, 100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100, 10, 1
  };

  private Instants() {}

  static Instant parse(String text) {
    int length = text.length();
    if (length < 20
        || length == 21
        || length > 30
        || text.charAt(4) != '-'
        || text.charAt(7) != '-'
        || text.charAt(10) != 'T'
        || text.charAt(13) != ':'
        || text.charAt(16) != ':'
        || (length > 20 && text.charAt(19) != '.')
        || text.charAt(length - 1) != 'Z') {
      return Instant.parse(text);
    }
    int year = digits(text, 0, 4);
    int month = digits(text, 5, 7);
    int day = digits(text, 8, 10);
    int hour = digits(text, 11, 13);
    int minute = digits(text, 14, 16);
    int second = digits(text, 17, 19);
    int fraction = length > 20 ? digits(text, 20, length - 1) : 0;
    if (year < 0
        || month < 1
        || month > 12
        || day < 1
        || day > Month.of(month).length(Year.isLeap(year))
        || hour < 0
        || hour > 23
        || minute < 0
        || minute > 59
        // 60, a leap second, is Instant.parse's to read.
        || second < 0
        || second > 59
        || fraction < 0) {
      return Instant.parse(text);
    }
    long epochSecond =
        LocalDate.of(year, month, day).toEpochDay() * 86_400L
            + hour * 3_600L
            + minute * 60L
            + second;
    int nanos = length > 20 ? fraction * SCALE[length - 21] : 0;
    return Instant.ofEpochSecond(epochSecond, nanos);
  }

  /** The ASCII digits of text[from, to) as a number, or -1 if one is not a digit. */
  private static int digits(String text, int from, int to) {
    int value = 0;
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }
}
