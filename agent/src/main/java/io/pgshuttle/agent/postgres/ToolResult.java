package io.pgshuttle.agent.postgres;

import io.pgshuttle.agent.pipeline.NonRetryableStepException;
import io.pgshuttle.agent.pipeline.RetryableStepException;
import io.pgshuttle.agent.pipeline.StepException;
import java.util.List;
import java.util.Locale;

/**
 * How a client tool ended.
 *
 * @param stderrTail the last lines it wrote to stderr (libpq never writes a password there)
 * @param stdout what it wrote to stdout, if the invocation captured it; else empty
 * @param cancelled whether the attempt's cancellation stopped it
 */
public record ToolResult(
    String tool, int exitCode, List<String> stderrTail, String stdout, boolean cancelled) {

  private static final int LINES_IN_MESSAGE = 4;

  /** Errors that another attempt would meet again until a person acts. */
  private static final List<String> PERMANENT_ERRORS =
      List.of(
          "no space left on device",
          "permission denied",
          "password authentication failed",
          "server version mismatch",
          "already exists",
          "does not exist",
          "syntax error",
          // The lock table is full (its hint names the setting): another attempt locks as much.
          "max_locks_per_transaction");

  public ToolResult {
    stderrTail = List.copyOf(stderrTail);
  }

  public boolean succeeded() {
    return exitCode == 0 && !cancelled;
  }

  /**
   * The lines that explain a failure: the error lines of the tail, with the server's hints, if it
   * has any (verbose tools write many lines before the error), else its last lines.
   */
  public List<String> errorLines() {
    List<String> errors =
        stderrTail.stream()
            .filter(
                line -> {
                  String lower = line.toLowerCase(Locale.ROOT);
                  return lower.contains("error")
                      || lower.contains("fatal")
                      || lower.contains("detail:")
                      || lower.startsWith("hint:")
                      || lower.contains("could not");
                })
            .toList();
    List<String> chosen = errors.isEmpty() ? stderrTail : errors;
    return chosen.subList(Math.max(0, chosen.size() - LINES_IN_MESSAGE), chosen.size());
  }

  /**
   * The step failure this result means, its message {@code action} and the tool's error lines: not
   * retryable for errors a person must fix (a full disk, a refused password, a version mismatch, an
   * object that exists or is missing), retryable for the rest (a lost connection, a server
   * restart).
   */
  public StepException failure(String action) {
    String message = action + " failed: " + describeFailure();
    String lower = String.join("\n", errorLines()).toLowerCase(Locale.ROOT);
    boolean permanent = PERMANENT_ERRORS.stream().anyMatch(lower::contains);
    return permanent ? new NonRetryableStepException(message) : new RetryableStepException(message);
  }

  /** A sentence for a failure message: {@code pg_dump exited 1: <error lines>}. */
  public String describeFailure() {
    List<String> lines = errorLines();
    return tool
        + " exited "
        + exitCode
        + (lines.isEmpty() ? " without a message" : ": " + String.join(" / ", lines));
  }
}
