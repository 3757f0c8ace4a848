package io.pgshuttle.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One run of the distribution's {@code bin/pgshuttle} launcher as a real child process, its
 * standard output in a log file and its standard error beside it ({@code <log>.err}). The
 * distribution is built by {@code mvn package} before the *IT tests run.
 */
final class PgShuttleProcess implements AutoCloseable {
  private final Process process;
  private final Path log;

  private PgShuttleProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /** The launcher of the distribution this module built. */
  static Path launcher() {
    Path launcher = Path.of("target", "pgshuttle", "bin", "pgshuttle").toAbsolutePath();
    if (!Files.isExecutable(launcher)) {
      throw new IllegalStateException(
          launcher + " is missing: run `mvn package` in deploy before the end-to-end tests");
    }
    return launcher;
  }

  /**
   * Starts {@code pgshuttle <arguments>} with {@code environment} added, output into {@code log}.
   */
  static PgShuttleProcess start(List<String> arguments, Map<String, String> environment, Path log) {
    List<String> command = new ArrayList<>();
    command.add(launcher().toString());
    command.addAll(arguments);
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectOutput(log.toFile())
            .redirectError(errorLog(log).toFile());
    builder.environment().putAll(environment);
    builder.environment().putIfAbsent("PGSHUTTLE_JAVA_OPTS", "-Xmx256m -XX:TieredStopAtLevel=1");
    try {
      return new PgShuttleProcess(builder.start(), log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs {@code pgshuttle <arguments>} to its end and returns its exit code and output. */
  static Result run(List<String> arguments, Map<String, String> environment, Path log) {
    try (PgShuttleProcess running = start(arguments, environment, log)) {
      if (!running.process.waitFor(5, TimeUnit.MINUTES)) {
        throw new IllegalStateException("pgshuttle " + arguments + " did not finish in 5 minutes");
      }
      return new Result(running.process.exitValue(), running.output(), running.errors());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A finished run: exit code, standard output, standard error. */
  record Result(int exitCode, String output, String errors) {}

  /** What the process wrote to standard output so far. */
  String output() {
    return read(log);
  }

  /** What the process wrote to standard error so far (its log lines). */
  String errors() {
    return read(errorLog(log));
  }

  private static Path errorLog(Path log) {
    return log.resolveSibling(log.getFileName() + ".err");
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(nothing: " + e + ")";
    }
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Kills the process with SIGKILL, as a crash or the OOM killer would, and waits for it. */
  void kill() {
    try {
      if (!process.destroyForcibly().waitFor(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("pgshuttle did not die of SIGKILL within 30 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Stops the process as an operator would (SIGTERM) and waits for it. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
