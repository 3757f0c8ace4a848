package io.pgshuttle.coordinator.store;

import io.pgshuttle.coordinator.status.MigrationState;
import io.pgshuttle.messages.MigrationId;

/**
 * The fields of a migration that decisions need. Immutable.
 *
 * @param attempt the current attempt; 0 before the first dispatch
 */
public record MigrationRow(
    MigrationId id,
    String requestId,
    String instanceId,
    MigrationState state,
    int attempt,
    int maxAttempts) {

  /** Whether another attempt is allowed after the current one. */
  public boolean hasAttemptsLeft() {
    return attempt < maxAttempts;
  }
}
