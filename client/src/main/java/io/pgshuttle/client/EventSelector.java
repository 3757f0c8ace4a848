package io.pgshuttle.client;

import io.pgshuttle.messages.MigrationId;
import java.util.Objects;

/**
 * Which events {@link PgShuttleClient#streamEvents} follows: one migration's ({@code GET
 * /v1/migrations/{id}/events}) or the whole store's ({@code GET /v1/events}), optionally of one
 * instance and one event type. Immutable; create with {@link #migration} or {@link #all}.
 *
 * @param migrationId the migration, or null for every migration
 * @param instance only events of this instance, or null; only without a migration
 * @param type only events of this type (such as {@code StepStarted}), or null; only without a
 *     migration
 */
public record EventSelector(MigrationId migrationId, String instance, String type) {
  public EventSelector {
    if (migrationId != null && (instance != null || type != null)) {
      throw new IllegalArgumentException(
          "the events of one migration take no instance or type filter: select all() events to"
              + " filter by instance or type");
    }
  }

  /** Every event of one migration. */
  public static EventSelector migration(MigrationId migrationId) {
    return new EventSelector(Objects.requireNonNull(migrationId, "migrationId"), null, null);
  }

  /** Every event of the store. */
  public static EventSelector all() {
    return new EventSelector(null, null, null);
  }

  public EventSelector withInstance(String instance) {
    return new EventSelector(migrationId, instance, type);
  }

  public EventSelector withType(String type) {
    return new EventSelector(migrationId, instance, type);
  }
}
