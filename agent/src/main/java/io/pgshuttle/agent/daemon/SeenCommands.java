package io.pgshuttle.agent.daemon;

import io.pgshuttle.agent.pipeline.DurableFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.UUID;

/**
 * The message ids of the commands this agent took, with their signatures, on the VM's persistent
 * disk, each kept until its signature expires: a command seen before with the same signature is a
 * replay, and one whose signature expired is refused anyway, so the window need not be longer.
 * Survives restarts. Not thread-safe: {@link CommandGate} serializes its use.
 *
 * <p>Layout: {@code <stateDir>/seen-commands/<messageId>} holding the expiry time, then the
 * signature on a second line.
 */
public final class SeenCommands {
  private final Path directory;

  public SeenCommands(Path stateDir) {
    this.directory = stateDir.resolve("seen-commands");
  }

  /** Whether the command with {@code messageId} was taken before. */
  public boolean contains(UUID messageId) {
    return Files.exists(directory.resolve(messageId.toString()));
  }

  /**
   * Whether the command with {@code messageId} was taken before with this very {@code signature}:
   * the same message sent again, not one the coordinator signed anew.
   */
  public boolean takenWith(UUID messageId, String signature) {
    try {
      List<String> lines =
          Files.readAllLines(directory.resolve(messageId.toString()), StandardCharsets.US_ASCII);
      return lines.size() > 1 && lines.get(1).equals(signature);
    } catch (NoSuchFileException e) {
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the commands taken in " + directory, e);
    }
  }

  /**
   * Records, durably, that the command with {@code messageId} was taken with {@code signature},
   * until {@code expiresAt}; forgets the ids whose expiry has passed by {@code now}.
   */
  public void record(UUID messageId, Instant expiresAt, String signature, Instant now) {
    try {
      DurableFiles.write(
          directory.resolve(messageId.toString()),
          (expiresAt + "\n" + signature).getBytes(StandardCharsets.US_ASCII));
      forgetExpired(now);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot record a command in " + directory, e);
    }
  }

  private void forgetExpired(Instant now) throws IOException {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
      for (Path file : files) {
        if (file.getFileName().toString().endsWith(".tmp")) {
          continue;
        }
        try {
          String expiry =
              Files.readString(file, StandardCharsets.US_ASCII).lines().findFirst().orElse("");
          if (Instant.parse(expiry).isBefore(now)) {
            Files.deleteIfExists(file);
          }
        } catch (DateTimeParseException | NoSuchFileException e) {
          // Torn by a crash before DurableFiles renamed it in: nothing was recorded.
          Files.deleteIfExists(file);
        }
      }
    }
  }
}
