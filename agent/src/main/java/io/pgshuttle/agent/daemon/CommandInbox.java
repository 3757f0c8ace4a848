package io.pgshuttle.agent.daemon;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MessageDecodingException;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.StartMigration;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The commands this agent has accepted, on the VM's persistent disk: the agent acks a command only
 * once it is here, and ignores a redelivered one by what is here. Each command is stored without
 * the target password. Not thread-safe: the command consumer is its only writer (the worker only
 * marks entries done).
 *
 * <p>Layout: {@code <stateDir>/inbox/<migrationId>/attempt-<n>.json} holding {@code {"state":
 * "ACCEPTED"|"DONE", "command": <envelope>}}.
 */
public final class CommandInbox {
  private record StoredEntry(String state, com.fasterxml.jackson.databind.JsonNode command) {}

  private static final String ACCEPTED = "ACCEPTED";
  private static final String DONE = "DONE";

  private final Path root;
  private final MessageCodec codec;
  private final ObjectMapper mapper = MessageCodec.newObjectMapper();

  public CommandInbox(Path stateDir, MessageCodec codec) {
    this.root = stateDir.resolve("inbox");
    this.codec = codec;
  }

  /** Whether this attempt of the migration was accepted before: a redelivery. */
  public boolean contains(Envelope<StartMigration> command) {
    return Files.exists(file(command));
  }

  /**
   * Records, durably, that attempts up to {@code attempt} of the migration are cancelled: a cancel
   * that arrived before its command (the agent was restarting, or the command still queued).
   */
  public void recordCancel(MigrationId migrationId, int attempt, String reason) {
    Path file = root.resolve(migrationId.toString()).resolve("cancelled-" + attempt + ".txt");
    try {
      Files.createDirectories(file.getParent());
      writeDurably(file, (reason == null ? "" : reason).getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot record a cancel in " + file, e);
    }
  }

  /**
   * The reason of a cancel recorded for this attempt or a later one of the migration; empty when
   * none was (a cancel without a reason gives an empty string).
   */
  public Optional<String> cancelled(Envelope<StartMigration> command) {
    Path directory = root.resolve(command.migrationId().toString());
    if (!Files.isDirectory(directory)) {
      return Optional.empty();
    }
    try (DirectoryStream<Path> cancels = Files.newDirectoryStream(directory, "cancelled-*.txt")) {
      for (Path file : cancels) {
        String name = file.getFileName().toString();
        int attempt = Integer.parseInt(name.substring("cancelled-".length(), name.length() - 4));
        if (attempt >= command.attempt()) {
          return Optional.of(Files.readString(file));
        }
      }
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the agent's inbox under " + directory, e);
    }
  }

  /** Records the command as accepted, durably, before the caller acks it. */
  public void accept(Envelope<StartMigration> command) {
    write(command, ACCEPTED);
  }

  /** Records that the command's run has ended (succeeded, failed or rolled back). */
  public void markDone(Envelope<StartMigration> command) {
    write(command, DONE);
  }

  /** Every accepted command whose run has not ended, oldest attempt first. */
  public List<Envelope<StartMigration>> unfinished() {
    List<Envelope<StartMigration>> unfinished = new ArrayList<>();
    if (!Files.isDirectory(root)) {
      return unfinished;
    }
    try (DirectoryStream<Path> migrations = Files.newDirectoryStream(root)) {
      for (Path migration : migrations) {
        try (DirectoryStream<Path> attempts =
            Files.newDirectoryStream(migration, "attempt-*.json")) {
          for (Path file : attempts) {
            StoredEntry entry = mapper.readValue(file.toFile(), StoredEntry.class);
            if (ACCEPTED.equals(entry.state())) {
              unfinished.add(decode(entry));
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the agent's inbox under " + root, e);
    }
    return unfinished;
  }

  private Envelope<StartMigration> decode(StoredEntry entry) throws IOException {
    try {
      return codec.decode(mapper.writeValueAsBytes(entry.command()), StartMigration.class);
    } catch (MessageDecodingException e) {
      throw new IOException("corrupt inbox entry: " + e.getMessage(), e);
    }
  }

  private void write(Envelope<StartMigration> command, String state) {
    StartMigration start = command.payload();
    Envelope<StartMigration> stored =
        command.withPayload(start.withTarget(start.target().withoutPassword()));
    Path file = file(command);
    try {
      Files.createDirectories(file.getParent());
      byte[] bytes =
          mapper.writeValueAsBytes(new StoredEntry(state, mapper.readTree(codec.encode(stored))));
      writeDurably(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot record command in " + file, e);
    }
  }

  private Path file(Envelope<StartMigration> command) {
    return root.resolve(command.migrationId().toString())
        .resolve("attempt-" + command.attempt() + ".json");
  }

  private static void writeDurably(Path file, byte[] bytes) throws IOException {
    Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel channel =
        FileChannel.open(
            temporary,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      channel.write(ByteBuffer.wrap(bytes));
      channel.force(true);
    }
    Files.move(
        temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
