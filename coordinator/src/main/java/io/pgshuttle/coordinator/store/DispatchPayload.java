package io.pgshuttle.coordinator.store;

import io.pgshuttle.messages.MigrationRequest;
import io.pgshuttle.messages.Secret;
import io.pgshuttle.messages.TargetServer;

/**
 * What a StartMigration is built from. Immutable; {@code targetPassword} never prints.
 *
 * @param request the stored request, without its password
 * @param targetPassword null when the target needs none
 * @param fencingToken the current attempt's token
 */
public record DispatchPayload(MigrationRequest request, Secret targetPassword, long fencingToken) {

  /** The request's target with its password, as a command to the agent carries it. */
  public TargetServer target() {
    TargetServer stored = request.target();
    return new TargetServer(
        stored.host(), stored.port(), stored.user(), targetPassword, stored.sslmode());
  }
}
