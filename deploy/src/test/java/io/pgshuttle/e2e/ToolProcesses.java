package io.pgshuttle.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The PostgreSQL client tools running on this machine, read from {@code /proc}. */
final class ToolProcesses {
  private ToolProcesses() {}

  /**
   * Command lines of running processes whose program name starts with {@code tool} (so {@code
   * pg_dump} also finds {@code pg_dumpall}), or that run a script of that name (see {@link
   * PausingTools}), and that connect to the server on {@code port}.
   */
  static List<String> connectingTo(String tool, int port) {
    List<String> found = new ArrayList<>();
    try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
      for (Path process : processes.toList()) {
        if (!process.getFileName().toString().matches("\\d+")) {
          continue;
        }
        String[] arguments = commandLine(process);
        if (runs(arguments, tool) && String.join(" ", arguments).contains("port=" + port)) {
          found.add(String.join(" ", arguments));
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list /proc", e);
    }
    return found;
  }

  /** Whether the command line runs {@code tool}: as its program, or as the script a shell runs. */
  private static boolean runs(String[] arguments, String tool) {
    return (arguments.length > 0 && programName(arguments[0]).startsWith(tool))
        || (arguments.length > 1 && programName(arguments[1]).startsWith(tool));
  }

  /** The file name of a program path; a process may set its argv[0] to anything, even "/". */
  private static String programName(String argv0) {
    int slash = argv0.lastIndexOf('/');
    return slash < 0 ? argv0 : argv0.substring(slash + 1);
  }

  private static String[] commandLine(Path process) {
    try {
      String raw =
          new String(Files.readAllBytes(process.resolve("cmdline")), StandardCharsets.UTF_8);
      return raw.isEmpty() ? new String[0] : raw.split("\0");
    } catch (IOException e) {
      // The process ended while we looked.
      return new String[0];
    }
  }
}
