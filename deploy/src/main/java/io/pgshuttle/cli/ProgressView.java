package io.pgshuttle.cli;

import io.pgshuttle.cli.MigrationStatus.Progress;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Prints a migration's course as it happens, one line per step start and end, with a text progress
 * bar. On a terminal ({@code redraw}), progress lines overwrite each other in place; while two
 * steps report progress at once (DUMP and RESTORE run together), the line shows the bar of each.
 * Not thread-safe: one follower prints through it.
 */
final class ProgressView {
  private static final String CLEAR_LINE = "\r\033[K";
  private static final int STEP_COLUMN = 15;

  private final PrintWriter out;
  private final boolean redraw;
  private boolean progressLineOpen;

  /** The last progress of each step that reports and has not ended, by step, oldest first. */
  private final Map<String, Progress> reporting = new LinkedHashMap<>();

  private int reportingAttempt;

  ProgressView(PrintWriter out, boolean redraw) {
    this.out = out;
    this.redraw = redraw;
  }

  void attemptStarted(int attempt, Integer maxAttempts) {
    line("attempt " + attempt + (maxAttempts == null ? "" : " of " + maxAttempts) + " started");
  }

  void stepStarted(int attempt, String step) {
    line(prefix(attempt, step) + "started");
  }

  void stepProgress(int attempt, String step, Progress progress) {
    if (attempt != reportingAttempt) {
      reporting.clear();
      reportingAttempt = attempt;
    }
    reporting.put(step, progress);
    String text =
        redraw && reporting.size() > 1
            ? bars(attempt)
            : prefix(attempt, step) + Formats.progress(progress);
    if (redraw) {
      out.print(CLEAR_LINE + text);
      out.flush();
      progressLineOpen = true;
    } else {
      line(text);
    }
  }

  void stepSucceeded(int attempt, String step, Duration took, String summary) {
    reporting.remove(step);
    line(
        prefix(attempt, step)
            + "succeeded"
            + (took == null ? "" : " in " + Formats.duration(took))
            + (summary == null || summary.isBlank() ? "" : ": " + summary));
  }

  void stepFailed(int attempt, String step, String error) {
    reporting.remove(step);
    line(prefix(attempt, step) + "failed" + (error == null ? "" : ": " + error));
  }

  /** A step state this view has no wording for, such as one a newer coordinator added. */
  void stepState(int attempt, String step, String state) {
    line(prefix(attempt, step) + state.toLowerCase(Locale.ROOT));
  }

  /**
   * @param retryable null when not known
   */
  void attemptFailed(int attempt, String error, Boolean retryable) {
    String retry = retryable == null ? "" : retryable ? " (retryable)" : " (not retryable)";
    line("attempt " + attempt + " failed" + (error == null ? "" : ": " + error) + retry);
  }

  void migrationEnded(String state, String error) {
    line("migration " + state + (error == null ? "" : ": " + error));
  }

  /** {@code [attempt 1] DUMP [####----] 40% RESTORE [#-------] 10%}: each reporting step. */
  private String bars(int attempt) {
    StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "[attempt %d]", attempt));
    reporting.forEach(
        (step, progress) -> {
          String bar = Formats.bar(progress);
          text.append(' ').append(step).append(' ').append(bar == null ? "..." : bar);
        });
    return text.toString();
  }

  private static String prefix(int attempt, String step) {
    return String.format(Locale.ROOT, "[attempt %d] %-" + STEP_COLUMN + "s ", attempt, step);
  }

  private void line(String text) {
    if (progressLineOpen) {
      out.print(CLEAR_LINE);
      progressLineOpen = false;
    }
    out.print(text + "\n");
    out.flush();
  }

  /** Ends an open progress line, so what follows starts on a line of its own. */
  void finish() {
    if (progressLineOpen) {
      out.print("\n");
      out.flush();
      progressLineOpen = false;
    }
  }
}
