package io.pgshuttle.coordinator.store;

import io.pgshuttle.messages.MigrationId;

/**
 * What tells a stored event apart for an {@link EventFilter}, without its body. Immutable; no field
 * is null.
 *
 * @param position the event's store-wide position
 * @param instanceId the instance of the event's migration
 * @param type the event's logical type
 */
public record EventKey(long position, MigrationId migrationId, String instanceId, String type) {}
