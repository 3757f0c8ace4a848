package io.pgshuttle.coordinator.store;

import io.pgshuttle.coordinator.status.MigrationStatus;
import java.util.List;

/**
 * One page of a migration list. Immutable.
 *
 * @param migrations newest first
 * @param next where the next page starts; null when this page is the last
 */
public record MigrationPage(List<MigrationStatus> migrations, MigrationCursor next) {
  public MigrationPage {
    migrations = List.copyOf(migrations);
  }
}
