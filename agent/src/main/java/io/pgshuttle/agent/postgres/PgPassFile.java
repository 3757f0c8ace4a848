package io.pgshuttle.agent.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A libpq password file readable by this user only (mode 0600 from creation, since libpq ignores a
 * looser one), handed to a tool in the {@code PGPASSFILE} environment variable so that no password
 * appears on a command line. It holds at most the one endpoint's line; it is empty where the
 * endpoint has no password, which still keeps libpq from reading {@code ~/.pgpass}. {@link #close}
 * deletes it. Not thread-safe.
 */
public final class PgPassFile implements AutoCloseable {
  private final Path file;

  private PgPassFile(Path file) {
    this.file = file;
  }

  /** Writes a password file for {@code endpoint} into {@code directory} (made 0700 if absent). */
  public static PgPassFile create(Path directory, PgEndpoint endpoint) {
    try {
      if (!Files.isDirectory(directory)) {
        Files.createDirectories(
            directory,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      Path file =
          Files.createTempFile(
              directory,
              "pgpass-",
              "",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(file, line(endpoint), StandardCharsets.UTF_8);
      return new PgPassFile(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write a password file for the PostgreSQL tools", e);
    }
  }

  /** The passfile line for {@code endpoint}, or an empty string when it has no password. */
  static String line(PgEndpoint endpoint) {
    if (!endpoint.hasPassword()) {
      return "";
    }
    return escape(endpoint.host())
        + ":"
        + endpoint.port()
        + ":*:"
        + escape(endpoint.user())
        + ":"
        + escape(endpoint.password().reveal())
        + "\n";
  }

  private static String escape(String field) {
    return field.replace("\\", "\\\\").replace(":", "\\:");
  }

  public Path path() {
    return file;
  }

  /**
   * Deletes the password files a killed agent left in {@code directory}; call before any tool runs.
   */
  public static void deleteLeftovers(Path directory) {
    if (!Files.isDirectory(directory)) {
      return;
    }
    try (var files = Files.list(directory)) {
      for (Path file : files.toList()) {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clear old password files in " + directory, e);
    }
  }

  @Override
  public void close() {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the password file " + file, e);
    }
  }
}
