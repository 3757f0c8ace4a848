package io.pgshuttle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The distribution's {@code bin/pgshuttle}, as built by {@code mvn package}, run as a process. */
class LauncherIT {
  private static final Path LAUNCHER =
      Path.of("target", "pgshuttle", "bin", "pgshuttle").toAbsolutePath();

  record Result(int exitCode, String out, String err) {}

  @Test
  void printsTheVersionOfTheBuild() throws Exception {
    Result result = run(LAUNCHER, Map.of(), "--version");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out().strip()).matches("pgshuttle \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
  }

  @Test
  void worksThroughASymbolicLinkAndPassesArgumentsAsGiven(@TempDir Path directory)
      throws Exception {
    Path link = Files.createSymbolicLink(directory.resolve("pgshuttle"), LAUNCHER);

    Result result =
        run(link, Map.of(), "submit", "--instance", "vm 1", "--target", "postgresql://a@h");

    assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(result.err()).contains("instanceId 'vm 1' is invalid");
    assertThat(result.out()).isEmpty();
  }

  @Test
  void keepsLogsAndErrorsOffStdout() throws Exception {
    Result result =
        run(LAUNCHER, Map.of("PGSHUTTLE_COORDINATOR_URL", "http://127.0.0.1:1"), "list", "--json");

    assertThat(result.exitCode()).isEqualTo(ExitCodes.UNREACHABLE);
    assertThat(result.out()).isEmpty();
    assertThat(result.err()).contains("PGSHUTTLE_COORDINATOR_URL");
  }

  @Test
  void takesJvmOptionsFromTheEnvironment() throws Exception {
    Result result =
        run(
            LAUNCHER,
            Map.of("PGSHUTTLE_JAVA_OPTS", "-Xmx64m -XX:+PrintCommandLineFlags"),
            "--version");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).contains("-XX:MaxHeapSize=67108864");
  }

  @Test
  void clientCommandsRunOnTheQuickCompilerAndTheSerialCollector() throws Exception {
    Result result =
        run(LAUNCHER, Map.of("PGSHUTTLE_JAVA_OPTS", "-XX:+PrintCommandLineFlags"), "--version");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).contains("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
  }

  @Test
  void theDaemonsKeepTheJvmsDefaults() throws Exception {
    for (String daemon : List.of("agent", "coordinator")) {
      Result result =
          run(
              LAUNCHER,
              Map.of("PGSHUTTLE_JAVA_OPTS", "-XX:+PrintCommandLineFlags"),
              daemon,
              "--help");

      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(result.out())
          .as(daemon)
          .contains("Usage: pgshuttle " + daemon)
          .doesNotContain("TieredStopAtLevel", "UseSerialGC");
    }
  }

  @Test
  void optionsFromTheEnvironmentWinAndACollectorNamedThereReplacesTheSerialOne() throws Exception {
    Result result =
        run(
            LAUNCHER,
            Map.of(
                "PGSHUTTLE_JAVA_OPTS",
                "-XX:+UseParallelGC -XX:TieredStopAtLevel=4 -XX:+PrintCommandLineFlags"),
            "--version");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out())
        .contains("-XX:+UseParallelGC", "-XX:TieredStopAtLevel=4")
        .doesNotContain("UseSerialGC");
  }

  private static Result run(Path launcher, Map<String, String> environment, String... arguments)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(launcher.toString()));
    command.addAll(List.of(arguments));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(environment);
    Process process = builder.start();
    process.getOutputStream().close();
    // Read stderr alongside stdout, so neither pipe can fill up and block the process.
    CompletableFuture<byte[]> err =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return process.getErrorStream().readAllBytes();
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    byte[] out = process.getInputStream().readAllBytes();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(
        process.exitValue(),
        new String(out, StandardCharsets.UTF_8),
        new String(err.join(), StandardCharsets.UTF_8));
  }
}
