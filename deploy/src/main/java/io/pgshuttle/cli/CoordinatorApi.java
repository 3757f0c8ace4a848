package io.pgshuttle.cli;

import io.pgshuttle.messages.MigrationId;
import java.util.Optional;

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
   * Migrations, newest first ({@code GET /v1/migrations}); each filter may be null.
   *
   * @return a JSON array of statuses
   * @throws CliException if the coordinator cannot be reached, fails, or refuses a filter
   */
  String migrations(String state, String instance, Integer limit);

  /** The coordinator's URL, for messages. */
  String describe();
}
