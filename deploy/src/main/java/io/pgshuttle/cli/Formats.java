package io.pgshuttle.cli;

import io.pgshuttle.cli.MigrationStatus.Progress;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** How the human output writes times, sizes and progress. Stateless. */
final class Formats {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
  private static final int BAR_WIDTH = 20;
  private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB"};

  private Formats() {}

  /** {@code 2024-05-01 12:00:03Z}, or "" for null. */
  static String time(Instant instant) {
    return instant == null ? "" : TIME.format(instant);
  }

  /** {@code 0.4s}, {@code 12s}, {@code 3m05s}, {@code 1h02m}. */
  static String duration(Duration duration) {
    long millis = Math.max(0, duration.toMillis());
    if (millis < 10_000) {
      return String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
    }
    long seconds = millis / 1000;
    if (seconds < 60) {
      return seconds + "s";
    }
    if (seconds < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
    }
    return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, (seconds % 3600) / 60);
  }

  /** The time between two instants, or "" when either is missing. */
  static String between(Instant start, Instant end) {
    return start == null || end == null ? "" : duration(Duration.between(start, end));
  }

  /** {@code 512 B}, {@code 1.5 MiB}. */
  static String bytes(long bytes) {
    double value = bytes;
    int unit = 0;
    while (value >= 1024 && unit < UNITS.length - 1) {
      value /= 1024;
      unit++;
    }
    return unit == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", value, UNITS[unit]);
  }

  /**
   * {@code [#########-----------] 45% 1.2 GiB of 2.7 GiB 3/10 tables about 3m05s left
   * public.orders}: the bar from the percent, else from bytes or tables; parts the step did not
   * report are left out.
   */
  static String progress(Progress progress) {
    List<String> parts = new ArrayList<>();
    String bar = bar(progress);
    if (bar != null) {
      parts.add(bar);
    }
    if (progress.bytesDone() != null) {
      parts.add(
          bytes(progress.bytesDone())
              + (progress.bytesTotal() == null ? "" : " of " + bytes(progress.bytesTotal())));
    }
    if (progress.tablesDone() != null) {
      parts.add(
          progress.tablesDone()
              + (progress.tablesTotal() == null ? "" : "/" + progress.tablesTotal())
              + " tables");
    }
    if (progress.etaSeconds() != null) {
      parts.add("about " + duration(Duration.ofSeconds(progress.etaSeconds())) + " left");
    }
    if (progress.detail() != null && !progress.detail().isBlank()) {
      parts.add(progress.detail());
    }
    return String.join("  ", parts);
  }

  /**
   * {@code [#########-----------] 45%}: the bar alone, from the percent, else from bytes or tables;
   * null when the progress tells none of them.
   */
  static String bar(Progress progress) {
    Double percent = percent(progress);
    if (percent == null) {
      return null;
    }
    double clamped = Math.max(0, Math.min(100, percent));
    int filled = (int) Math.round(clamped / 100 * BAR_WIDTH);
    return "["
        + "#".repeat(filled)
        + "-".repeat(BAR_WIDTH - filled)
        + "] "
        + String.format(Locale.ROOT, "%3.0f%%", clamped);
  }

  private static Double percent(Progress progress) {
    if (progress.percent() != null) {
      return progress.percent();
    }
    if (progress.bytesDone() != null
        && progress.bytesTotal() != null
        && progress.bytesTotal() > 0) {
      return 100.0 * progress.bytesDone() / progress.bytesTotal();
    }
    if (progress.tablesDone() != null
        && progress.tablesTotal() != null
        && progress.tablesTotal() > 0) {
      return 100.0 * progress.tablesDone() / progress.tablesTotal();
    }
    return null;
  }

  /** {@code text} cut to {@code max} characters, with "..." when cut; "" for null. */
  static String shorten(String text, int max) {
    if (text == null) {
      return "";
    }
    String oneLine = text.replaceAll("\\s+", " ").strip();
    return oneLine.length() <= max ? oneLine : oneLine.substring(0, max - 3) + "...";
  }
}
