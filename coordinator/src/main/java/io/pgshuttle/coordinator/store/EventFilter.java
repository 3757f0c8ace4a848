package io.pgshuttle.coordinator.store;

import io.pgshuttle.messages.MigrationId;

/**
 * Which stored events an event stream takes. Every field is optional (null matches any). Immutable.
 *
 * @param migrationId only events of this migration
 * @param instanceId only events of migrations of this instance
 * @param type only events of this logical type, such as {@code StepProgress}
 */
public record EventFilter(MigrationId migrationId, String instanceId, String type) {

  /** Whether an event with this key passes. */
  public boolean matches(EventKey key) {
    return (migrationId == null || migrationId.equals(key.migrationId()))
        && (instanceId == null || instanceId.equals(key.instanceId()))
        && (type == null || type.equals(key.type()));
  }
}
