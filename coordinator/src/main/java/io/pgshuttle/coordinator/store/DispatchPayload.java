package io.pgshuttle.coordinator.store;

import io.pgshuttle.messages.MigrationRequest;
import io.pgshuttle.messages.Secret;

/**
 * What a StartMigration is built from. Immutable; {@code targetPassword} never prints.
 *
 * @param request the stored request, without its password
 * @param targetPassword null when the target needs none
 * @param fencingToken the current attempt's token
 */
public record DispatchPayload(MigrationRequest request, Secret targetPassword, long fencingToken) {}
