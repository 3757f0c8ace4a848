package io.pgshuttle.iaas.aws;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/**
 * A {@code moto_server} (Python's stateful AWS emulator) started by a test as its child process on
 * a free port of 127.0.0.1, and stopped by {@link #close()}. Not thread-safe.
 */
final class MotoServer implements AutoCloseable {
  private static final String EXECUTABLE = "moto_server";
  private static final Duration STARTUP = Duration.ofSeconds(30);

  private final Process process;
  private final Path log;
  private final int port;

  private MotoServer(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  /** {@code moto_server} on the PATH, if there is one. */
  static Optional<Path> onPath() {
    String path = System.getenv().getOrDefault("PATH", "");
    return Arrays.stream(path.split(File.pathSeparator))
        .filter(directory -> !directory.isBlank())
        .map(directory -> Path.of(directory, EXECUTABLE))
        .filter(Files::isExecutable)
        .findFirst();
  }

  /**
   * Starts {@code executable} and waits until it listens.
   *
   * @return empty, with the reason printed, if it exits at once saying moto is not installed (as a
   *     pyenv shim does for a Python version without moto)
   * @throws IllegalStateException if it fails otherwise or does not listen within 30 seconds
   */
  static Optional<MotoServer> start(Path executable) throws IOException, InterruptedException {
    int port = freePort();
    Path log = Files.createTempFile("moto-server", ".log");
    Process process =
        new ProcessBuilder(executable.toString(), "-H", "127.0.0.1", "-p", Integer.toString(port))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    MotoServer server = new MotoServer(process, log, port);
    long deadline = System.nanoTime() + STARTUP.toNanos();
    while (!server.listening()) {
      if (!process.isAlive()) {
        String output = Files.readString(log);
        Files.deleteIfExists(log);
        if (output.contains("command not found") || output.contains("No module named")) {
          System.out.println("moto_server is on the PATH but not installed: " + output.strip());
          return Optional.empty();
        }
        throw new IllegalStateException(
            executable + " exited with " + process.exitValue() + ": " + output);
      }
      if (System.nanoTime() - deadline >= 0) {
        server.close();
        throw new IllegalStateException(executable + " did not listen on port " + port);
      }
      Thread.sleep(100);
    }
    return Optional.of(server);
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  private boolean listening() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
      Files.deleteIfExists(log);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
