package io.pgshuttle.agent.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgshuttle.agent.AgentConfig;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.StartMigration;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The highest fencing token and attempt this agent has seen per migration, in {@code
 * fencing/<migrationId>.json} under PGSHUTTLE_STATE_DIR, so that a command from an older dispatch
 * (a coordinator that lost its lease, a late redelivery) is refused even after a restart.
 * Thread-safe; one instance per state directory (a singleton when injected).
 */
@Singleton
public final class FencingLedger {
  /** The highest (fencing token, attempt) seen for one migration. */
  record Mark(long fencingToken, int attempt) {
    boolean isAbove(Mark other) {
      return fencingToken != other.fencingToken
          ? fencingToken > other.fencingToken
          : attempt > other.attempt;
    }
  }

  private final Path root;
  private final ObjectMapper mapper = MessageCodec.newObjectMapper();

  @Inject
  public FencingLedger(AgentConfig config) {
    this(config.stateDir());
  }

  public FencingLedger(Path stateDir) {
    this.root = stateDir.resolve("fencing");
  }

  /**
   * Whether a later dispatch of the same migration was seen: a higher fencing token, or the same
   * token with a higher attempt. The same (token, attempt) again is not stale.
   */
  public synchronized boolean isStale(Envelope<StartMigration> command) {
    return highest(command.migrationId()).map(seen -> seen.isAbove(mark(command))).orElse(false);
  }

  /** Records {@code command}'s token and attempt if they are above what was seen, durably. */
  public synchronized void record(Envelope<StartMigration> command) {
    Mark mark = mark(command);
    Optional<Mark> seen = highest(command.migrationId());
    if (seen.isPresent() && !mark.isAbove(seen.get())) {
      return;
    }
    Path file = file(command.migrationId());
    try {
      DurableFiles.write(file, mapper.writeValueAsBytes(mark));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the fencing record " + file, e);
    }
  }

  private Optional<Mark> highest(MigrationId migrationId) {
    Path file = file(migrationId);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(mapper.readValue(file.toFile(), Mark.class));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the fencing record " + file, e);
    }
  }

  private static Mark mark(Envelope<StartMigration> command) {
    return new Mark(command.payload().fencingToken(), command.attempt());
  }

  private Path file(MigrationId migrationId) {
    return root.resolve(migrationId + ".json");
  }
}
