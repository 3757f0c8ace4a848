package io.pgshuttle.e2e;

import io.pgshuttle.testkit.PostgresCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

/**
 * A PGSHUTTLE_PG_BINDIR of the system's PostgreSQL tools in which some tools first pause (not when
 * asked for their version), so that a fault lands while the step runs however fast the machine is.
 * A paused tool is a shell script named like the tool, which then becomes the tool.
 */
final class PausingTools {
  private static final List<String> TOOLS = List.of("pg_dump", "pg_dumpall", "pg_restore", "psql");

  private PausingTools() {}

  /**
   * Makes the directory under {@code work}.
   *
   * @param pauses seconds of pause by tool name; the other tools are the system's as they are
   */
  static Path in(Path work, Map<String, Integer> pauses) {
    try {
      Path tools =
          Files.createDirectories(
              work.resolve(
                  "pausing-" + String.join("-", new java.util.TreeSet<>(pauses.keySet()))));
      Path real = PostgresCluster.defaultBinDir();
      for (String tool : TOOLS) {
        Integer seconds = pauses.get(tool);
        if (seconds == null) {
          Files.createSymbolicLink(tools.resolve(tool), real.resolve(tool));
        } else {
          Path script = tools.resolve(tool);
          Files.writeString(
              script,
              "#!/bin/sh\n"
                  + "[ \"$1\" = --version ] || sleep "
                  + seconds
                  + "\nexec "
                  + real.resolve(tool)
                  + " \"$@\"\n");
          Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
      }
      return tools;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
