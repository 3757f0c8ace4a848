package io.pgshuttle.coordinator.store;

import io.pgshuttle.messages.MigrationRequest;
import io.pgshuttle.messages.SealedSecret;
import io.pgshuttle.messages.TargetServer;

/**
 * What a StartMigration is built from. Immutable.
 *
 * @param request the stored request, without its password
 * @param sealedPassword the target password sealed for the agent; null when the target needs none
 * @param fencingToken the current attempt's token
 */
public record DispatchPayload(
    MigrationRequest request, SealedSecret sealedPassword, long fencingToken) {

  /** The request's target with its sealed password, as a command to the agent carries it. */
  public TargetServer target() {
    return request.target().withSealedPassword(sealedPassword);
  }
}
