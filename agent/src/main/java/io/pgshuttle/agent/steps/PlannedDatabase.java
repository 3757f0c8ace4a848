package io.pgshuttle.agent.steps;

import io.pgshuttle.messages.MigrationId;
import java.util.Objects;

/**
 * A database the migration moves, as PREFLIGHT planned it.
 *
 * @param index 1 and up, in plan order; names its dump directory and its staging database
 * @param name its name on the source, and its final name on the target
 * @param stagingName the name it has on the target until CUTOVER
 * @param sizeBytes {@code pg_database_size} on the source
 */
public record PlannedDatabase(int index, String name, String stagingName, long sizeBytes) {
  private static final int MIGRATION_ID_HEX_DIGITS = 12;

  public PlannedDatabase {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(stagingName, "stagingName");
  }

  /**
   * {@code pgshuttle_stage_<first 12 hex digits of the migration id>_<index>}: the same for every
   * attempt of a migration, so a later attempt (or a sweeper) finds what an earlier one left.
   */
  public static String stagingName(MigrationId migrationId, int index) {
    return stagingPrefix(migrationId) + index;
  }

  /**
   * {@code pgshuttle_stage_<first 12 hex digits of the migration id>_}: what every staging database
   * of the migration's attempts starts with, followed by its index.
   */
  public static String stagingPrefix(MigrationId migrationId) {
    String hex = migrationId.value().toString().replace("-", "");
    return "pgshuttle_stage_" + hex.substring(0, MIGRATION_ID_HEX_DIGITS) + "_";
  }

  /** The name of its dump directory on the disk. */
  public String dumpDirectoryName() {
    return Integer.toString(index);
  }
}
