package io.pgshuttle.cli;

import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.Secret;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * The coordinator's HTTP API, as JSON text exactly as the coordinator wrote it (so that {@code
 * --json} prints it unchanged). Implementations are thread-safe; no method returns null.
 */
public interface CoordinatorApi {
  /**
   * The status of one migration ({@code GET /v1/migrations/{id}}).
   *
   * @return empty when the coordinator does not know the migration (yet)
   * @throws CliException if the coordinator cannot be reached, fails, or refuses the request
   */
  Optional<String> migration(MigrationId id);

  /**
   * Runs {@code action} on a thread of its own each time the coordinator stores an event of the
   * migration from now on ({@code GET /v1/migrations/{id}/events?after=latest}, Server-Sent
   * Events), until closed. A hint that the status may have changed, no more: a stream the
   * coordinator refuses or drops ends without a word, so a caller keeps asking for the status now
   * and then as well.
   *
   * @return the running watch; closing it ends the stream
   */
  EventWatch onEachEvent(MigrationId id, Runnable action);

  /** A running {@link #onEachEvent} stream. {@link #close()} is idempotent and thread-safe. */
  interface EventWatch extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Migrations, newest first ({@code GET /v1/migrations}); each filter may be null.
   *
   * @return a JSON array of statuses
   * @throws CliException if the coordinator cannot be reached, fails, or refuses a filter
   */
  String migrations(String state, String instance, Integer limit);

  /**
   * Asks the coordinator to cancel a migration ({@code POST /v1/migrations/{id}/cancel}).
   *
   * @param reason why, shown in the status and the agent's log; null for none
   * @return the migration's status after the request; empty when the coordinator does not know it
   * @throws CliException exit code 2 if the coordinator refuses (a migration that already ended
   *     SUCCEEDED or FAILED, a reason it does not take), exit code 3 if it cannot be reached or
   *     fails
   */
  Optional<String> cancel(MigrationId id, String reason);

  /**
   * Starts a sweep of leftovers ({@code POST /v1/gc}).
   *
   * @param instance only this instance; null for every instance with ended migrations
   * @param wait how long the coordinator may wait for the agents' reports before it answers; null
   *     for not at all
   * @return the sweep as the coordinator shows it
   * @throws CliException exit code 2 if the coordinator refuses a parameter, exit code 3 if it
   *     cannot be reached or fails
   */
  String sweep(String instance, Duration wait);

  /**
   * A sweep and the reports so far ({@code GET /v1/gc/{id}}).
   *
   * @return empty when the coordinator does not know the sweep
   * @throws CliException if the coordinator cannot be reached or fails
   */
  Optional<String> sweepStatus(UUID id);

  /**
   * Dead letters, newest first ({@code GET /v1/dead-letters}); each filter may be null.
   *
   * @param after the {@code next} cursor of the page before; null for the first page
   * @return {@code {"deadLetters": [...], "next": cursor|null}}
   * @throws CliException exit code 2 if the coordinator refuses a parameter, exit code 3 if it
   *     cannot be reached or fails
   */
  String deadLetters(String reason, String instance, Integer limit, String after);

  /**
   * One dead letter ({@code GET /v1/dead-letters/{id}}).
   *
   * @return empty when the coordinator does not know it
   * @throws CliException if the coordinator cannot be reached or fails
   */
  Optional<String> deadLetter(UUID id);

  /**
   * Replays one dead letter ({@code POST /v1/dead-letters/{id}/replay}).
   *
   * @param targetPassword the target password to put back; null for none
   * @return {@code {"id", "outcome", "message", "migrationId"}}; empty when the coordinator does
   *     not know the dead letter
   * @throws CliException exit code 2 if the coordinator refuses (a password is needed), exit code 3
   *     if it cannot be reached or fails
   */
  Optional<String> replayDeadLetter(UUID id, Secret targetPassword);

  /**
   * Replays every dead letter the filters select ({@code POST /v1/dead-letters/replay}); each may
   * be null.
   *
   * @return {@code {"results": [...]}}
   * @throws CliException exit code 2 if the coordinator refuses, exit code 3 if it cannot be
   *     reached or fails
   */
  String replayDeadLetters(String reason, String instance, Secret targetPassword);

  /**
   * Deletes one dead letter ({@code DELETE /v1/dead-letters/{id}}).
   *
   * @return {@code {"id", "deleted": true}}; empty when the coordinator does not know it
   * @throws CliException if the coordinator cannot be reached or fails
   */
  Optional<String> dropDeadLetter(UUID id);

  /**
   * The audit log, newest first ({@code GET /v1/audit}); each filter may be null.
   *
   * @param since only entries recorded at or after this
   * @return {@code {"entries": [...]}}
   * @throws CliException exit code 2 if the coordinator refuses a filter, exit code 3 if it cannot
   *     be reached or fails
   */
  String audit(MigrationId migration, String action, Instant since);

  /** The coordinator's URL, for messages. */
  String describe();
}
