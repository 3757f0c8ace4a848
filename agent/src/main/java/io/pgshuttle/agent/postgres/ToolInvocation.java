package io.pgshuttle.agent.postgres;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * One run of a PostgreSQL client tool.
 *
 * @param tool the program's name in the tools directory, such as {@code pg_dump}
 * @param arguments its arguments; never a password
 * @param server the server it connects to, whose password goes into the tool's {@link PgPassFile}
 * @param stderrListener sees each line the tool writes to stderr, on a reader thread
 * @param tickInterval how often {@code tick} runs while the tool runs
 * @param tick runs on the calling thread every {@code tickInterval}, for progress reports
 * @param captureStdout whether to keep what the tool writes to stdout (for small outputs such as
 *     {@code pg_restore -l}); otherwise it is discarded
 */
public record ToolInvocation(
    String tool,
    List<String> arguments,
    PgEndpoint server,
    Consumer<String> stderrListener,
    Duration tickInterval,
    Runnable tick,
    boolean captureStdout) {

  private static final Duration DEFAULT_TICK = Duration.ofSeconds(1);

  public ToolInvocation {
    Objects.requireNonNull(tool, "tool");
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(stderrListener, "stderrListener");
    Objects.requireNonNull(tickInterval, "tickInterval");
    Objects.requireNonNull(tick, "tick");
    arguments = List.copyOf(arguments);
  }

  /** {@code tool} with {@code arguments} against {@code server}, no listeners. */
  public static ToolInvocation of(String tool, PgEndpoint server, List<String> arguments) {
    return new ToolInvocation(tool, arguments, server, line -> {}, DEFAULT_TICK, () -> {}, false);
  }

  /** This invocation, with {@code listener} seeing each stderr line. */
  public ToolInvocation onStderrLine(Consumer<String> listener) {
    return new ToolInvocation(tool, arguments, server, listener, tickInterval, tick, captureStdout);
  }

  /** This invocation, with {@code action} run every {@code interval} while the tool runs. */
  public ToolInvocation every(Duration interval, Runnable action) {
    return new ToolInvocation(
        tool, arguments, server, stderrListener, interval, action, captureStdout);
  }

  /** This invocation, keeping stdout in the result. */
  public ToolInvocation capturingStdout() {
    return new ToolInvocation(tool, arguments, server, stderrListener, tickInterval, tick, true);
  }
}
