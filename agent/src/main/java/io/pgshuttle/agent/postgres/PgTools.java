package io.pgshuttle.agent.postgres;

import io.pgshuttle.agent.AgentConfig;
import io.pgshuttle.agent.pipeline.Cancellation;
import io.pgshuttle.agent.pipeline.NonRetryableStepException;
import io.pgshuttle.agent.pipeline.RetryableStepException;
import io.pgshuttle.agent.pipeline.StepException;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs the PostgreSQL client tools of PGSHUTTLE_PG_BINDIR. Each run gets a fresh environment
 * without the caller's {@code PG*} variables, and the server's password through a {@link
 * PgPassFile} named in {@code PGPASSFILE}. A cancelled attempt stops the tool and its worker
 * processes. Tools run under {@code setpriv --pdeathsig KILL} where util-linux has it, so that an
 * agent killed with SIGKILL takes its tools with it: a surviving pg_dump would hold the source and
 * the disk while the next agent rolls the attempt back. Thread-safe: every run is independent.
 */
public final class PgTools {
  public static final String PG_DUMP = "pg_dump";
  public static final String PG_DUMPALL = "pg_dumpall";
  public static final String PG_RESTORE = "pg_restore";
  public static final String PSQL = "psql";

  private static final int TAIL_LINES = 40;
  private static final long VERSION_TIMEOUT_SECONDS = 30;
  private static final long STOP_GRACE_SECONDS = 10;
  private static final Path SETPRIV = Path.of("/usr/bin/setpriv");

  private final Path binDir;
  private final Path passFileDirectory;
  private final Path targetSslRootCert;

  @Inject
  public PgTools(AgentConfig config) {
    this(config.pgBindir(), passFileDirectory(config.stateDir()), config.targetSslRootCert());
  }

  /** Tools without a CA file of the targets' (libpq's default applies). */
  public PgTools(Path binDir, Path passFileDirectory) {
    this(binDir, passFileDirectory, null);
  }

  /**
   * @param passFileDirectory where the tools' password files are written, for as long as a tool
   *     runs; on the state directory so that the agent clears what a killed predecessor left
   * @param targetSslRootCert the CAs of the targets' certificates ({@code PGSSLROOTCERT} of a tool
   *     run against a target), or null
   */
  public PgTools(Path binDir, Path passFileDirectory, Path targetSslRootCert) {
    this.binDir = binDir;
    this.passFileDirectory = passFileDirectory;
    this.targetSslRootCert = targetSslRootCert;
  }

  /** Where an agent with state directory {@code stateDir} keeps the tools' password files. */
  public static Path passFileDirectory(Path stateDir) {
    return stateDir.resolve("pgpass");
  }

  /**
   * The path of {@code tool}.
   *
   * @throws NonRetryableStepException naming PGSHUTTLE_PG_BINDIR if it is not there
   */
  public Path binary(String tool) throws NonRetryableStepException {
    Path binary = binDir.resolve(tool);
    if (!Files.isExecutable(binary)) {
      throw new NonRetryableStepException(
          "no executable "
              + tool
              + " in "
              + binDir
              + ": set PGSHUTTLE_PG_BINDIR to the bin directory of the PostgreSQL client tools");
    }
    return binary;
  }

  /**
   * The major version {@code tool --version} reports.
   *
   * @throws NonRetryableStepException if the tool is missing or does not say its version
   */
  public PgVersion version(String tool) throws StepException {
    Path binary = binary(tool);
    try {
      Process process =
          new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(VERSION_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new NonRetryableStepException(binary + " --version did not answer");
      }
      return PgVersion.ofToolOutput(output)
          .orElseThrow(
              () ->
                  new NonRetryableStepException(
                      binary + " --version printed no PostgreSQL version: " + output.strip()));
    } catch (IOException e) {
      throw new NonRetryableStepException("cannot run " + binary + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RetryableStepException("interrupted while asking " + tool + " its version", e);
    }
  }

  /**
   * Runs the tool to its end, or until the attempt is cancelled. Does not throw for a non-zero
   * exit: the caller reads the result and decides.
   *
   * @throws StepException if the tool cannot be started (not retryable), the attempt is cancelled
   *     already, or the thread is interrupted (retryable)
   */
  public ToolResult run(ToolInvocation invocation, Cancellation cancellation) throws StepException {
    Path binary = binary(invocation.tool());
    cancellation.throwIfCancelled();
    List<String> command = new ArrayList<>();
    if (Files.isExecutable(SETPRIV)) {
      // The signal goes to the tool when the thread that started it dies, which here is the
      // attempt's thread: it waits for the tool, so only the agent's death ends it early.
      command.addAll(List.of(SETPRIV.toString(), "--pdeathsig", "KILL", "--"));
    }
    command.add(binary.toString());
    command.addAll(invocation.arguments());
    try (PgPassFile passFile = PgPassFile.create(passFileDirectory, invocation.server())) {
      ProcessBuilder builder = new ProcessBuilder(command);
      Map<String, String> environment = builder.environment();
      environment.keySet().removeIf(name -> name.startsWith("PG"));
      environment.put("PGPASSFILE", passFile.path().toString());
      if (targetSslRootCert != null && PgEndpoint.TARGET.equals(invocation.server().role())) {
        environment.put("PGSSLROOTCERT", targetSslRootCert.toString());
      }
      if (!invocation.captureStdout()) {
        builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
      }
      Process process = builder.start();
      StderrTail tail = new StderrTail(invocation.stderrListener());
      Thread stderrReader = readLines(process.getErrorStream(), tail::add, invocation.tool());
      StringBuilder stdout = new StringBuilder();
      Thread stdoutReader =
          invocation.captureStdout()
              ? readLines(
                  process.getInputStream(),
                  line -> {
                    synchronized (stdout) {
                      stdout.append(line).append('\n');
                    }
                  },
                  invocation.tool())
              : null;
      try (Cancellation.Registration ignored = cancellation.onCancel(() -> stop(process))) {
        long tickMillis = Math.max(1, invocation.tickInterval().toMillis());
        while (!process.waitFor(tickMillis, TimeUnit.MILLISECONDS)) {
          invocation.tick().run();
        }
        stderrReader.join();
        if (stdoutReader != null) {
          stdoutReader.join();
        }
      } catch (InterruptedException e) {
        stop(process);
        Thread.currentThread().interrupt();
        throw new RetryableStepException(invocation.tool() + " was interrupted", e);
      }
      synchronized (stdout) {
        return new ToolResult(
            invocation.tool(),
            process.exitValue(),
            tail.lines(),
            stdout.toString(),
            cancellation.isCancelled());
      }
    } catch (IOException e) {
      throw new NonRetryableStepException("cannot run " + binary + ": " + e.getMessage(), e);
    }
  }

  /** Ends the tool and the workers it forked ({@code -j}), forcibly if they linger. */
  private static void stop(Process process) {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(STOP_GRACE_SECONDS, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  private static Thread readLines(InputStream stream, Consumer<String> sink, String tool) {
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader lines =
                  new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                  sink.accept(line);
                }
              } catch (IOException e) {
                // The process is gone; what it wrote so far is kept.
              }
            },
            "pgshuttle-" + tool + "-output");
    reader.setDaemon(true);
    reader.start();
    return reader;
  }

  /** The last lines of a tool's stderr; each line also goes to a listener. */
  private static final class StderrTail {
    private final Deque<String> lines = new ArrayDeque<>();
    private final Consumer<String> listener;

    StderrTail(Consumer<String> listener) {
      this.listener = listener;
    }

    void add(String line) {
      synchronized (this) {
        if (lines.size() == TAIL_LINES) {
          lines.removeFirst();
        }
        lines.addLast(line);
      }
      listener.accept(line);
    }

    synchronized List<String> lines() {
      return List.copyOf(lines);
    }
  }
}
