package io.pgshuttle.agent.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgshuttle.agent.AgentConfig;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.StartMigration;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The attempt journals under PGSHUTTLE_STATE_DIR: {@code attempts/<migrationId>/attempt-<n>.json},
 * one {@link FileAttemptJournal} per attempt. Thread-safe for distinct attempts; one attempt's
 * journal is written through the one {@link FileAttemptJournal} its runner holds (whose methods are
 * synchronized), never through a second.
 */
public final class AttemptJournalStore {
  private static final String SUFFIX = ".json";
  private static final String PREFIX = "attempt-";

  private final Path root;
  private final ObjectMapper mapper = MessageCodec.newObjectMapper();
  private final MessageCodec codec = new MessageCodec();

  @Inject
  public AttemptJournalStore(AgentConfig config) {
    this(config.stateDir());
  }

  public AttemptJournalStore(Path stateDir) {
    this.root = stateDir.resolve("attempts");
  }

  /**
   * Creates the journal of {@code command}'s attempt, status RUNNING.
   *
   * @throws IllegalStateException if that attempt has a journal already
   */
  public FileAttemptJournal create(Envelope<StartMigration> command) {
    Path file = file(command.migrationId(), command.attempt());
    if (Files.exists(file)) {
      throw new IllegalStateException(
          "attempt "
              + command.attempt()
              + " of migration "
              + command.migrationId()
              + " has run already: its journal is "
              + file);
    }
    return FileAttemptJournal.create(file, mapper, codec, command);
  }

  /** The journal of that attempt, if there is one. */
  public Optional<FileAttemptJournal> find(MigrationId migrationId, int attempt) {
    Path file = file(migrationId, attempt);
    return Files.exists(file)
        ? Optional.of(FileAttemptJournal.read(file, mapper, codec))
        : Optional.empty();
  }

  /** Every journal, by migration id and then attempt. */
  public List<FileAttemptJournal> all() {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> migrations = Files.list(root)) {
      List<FileAttemptJournal> journals = new ArrayList<>();
      for (Path migration : migrations.filter(Files::isDirectory).sorted().toList()) {
        journals.addAll(journalsIn(migration));
      }
      return journals;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the attempt journals in " + root, e);
    }
  }

  /**
   * The journals of the attempts of {@code migrationId} before {@code attempt}, oldest first: the
   * runner finishes the rollbacks a killed predecessor could not.
   */
  public List<FileAttemptJournal> earlierAttempts(MigrationId migrationId, int attempt) {
    return ofMigration(migrationId).stream()
        .filter(journal -> journal.command().attempt() < attempt)
        .toList();
  }

  /** The journals of every attempt of {@code migrationId} this agent ran, oldest first. */
  public List<FileAttemptJournal> ofMigration(MigrationId migrationId) {
    Path directory = root.resolve(migrationId.toString());
    if (!Files.isDirectory(directory)) {
      return List.of();
    }
    try {
      return journalsIn(directory);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the attempt journals in " + directory, e);
    }
  }

  private List<FileAttemptJournal> journalsIn(Path directory) throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      return files
          .filter(this::isJournal)
          .sorted(Comparator.comparingInt(AttemptJournalStore::attemptOf))
          .map(file -> FileAttemptJournal.read(file, mapper, codec))
          .toList();
    }
  }

  private boolean isJournal(Path file) {
    String name = file.getFileName().toString();
    return name.startsWith(PREFIX)
        && name.endsWith(SUFFIX)
        && name.substring(PREFIX.length(), name.length() - SUFFIX.length()).matches("\\d+");
  }

  private static int attemptOf(Path file) {
    String name = file.getFileName().toString();
    return Integer.parseInt(name.substring(PREFIX.length(), name.length() - SUFFIX.length()));
  }

  private Path file(MigrationId migrationId, int attempt) {
    return root.resolve(migrationId.toString()).resolve(PREFIX + attempt + SUFFIX);
  }
}
