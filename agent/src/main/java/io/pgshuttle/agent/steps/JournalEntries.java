package io.pgshuttle.agent.steps;

import io.pgshuttle.agent.pipeline.AttemptJournal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The journal entries the steps write and read, by key, with their types. One place, so a step that
 * reads what another wrote agrees on key and type. Stateless.
 */
final class JournalEntries {
  static final String PLAN = "preflight.plan";
  static final String DISK_REQUEST = "disk.request";
  static final String DISK_ID = "disk.id";
  static final String DISK_PATH = "disk.path";
  static final String DISK_MOUNT_POINT = "disk.mountPoint";
  static final String QUIESCED = "quiesce.databases";
  static final String FREEZE = "quiesce.freeze";
  static final String DUMP_CHECKSUMS = "dump.checksums";
  static final String CREATED_ROLES = "restore.createdRoles";
  static final String STAGING_DATABASES = "restore.stagingDatabases";
  static final String RENAMES = "cutover.renames";

  private JournalEntries() {}

  /**
   * The plan PREFLIGHT recorded.
   *
   * @throws IllegalStateException if there is none: a step ran before PREFLIGHT succeeded
   */
  static MigrationPlan plan(AttemptJournal journal) {
    return journal
        .get(PLAN, MigrationPlan.class)
        .orElseThrow(() -> new IllegalStateException("PREFLIGHT recorded no migration plan"));
  }

  /**
   * The mounted disk's path.
   *
   * @throws IllegalStateException if PROVISION_DISK recorded none
   */
  static Path diskPath(AttemptJournal journal) {
    return journal
        .get(DISK_PATH, String.class)
        .map(Path::of)
        .orElseThrow(() -> new IllegalStateException("PROVISION_DISK recorded no disk path"));
  }

  /** Where the dump lives on the disk. */
  static Path dumpDirectory(AttemptJournal journal) {
    return diskPath(journal).resolve("dump");
  }

  static List<QuiescedDatabase> quiesced(AttemptJournal journal) {
    return journal.get(QUIESCED, QuiescedDatabase[].class).map(List::of).orElse(List.of());
  }

  static Optional<QuiescedDatabase> quiesced(AttemptJournal journal, String database) {
    return quiesced(journal).stream().filter(q -> q.name().equals(database)).findFirst();
  }

  /**
   * What QUIESCE_SOURCE saved of {@code database}.
   *
   * @throws IllegalStateException if it saved nothing: a step ran before QUIESCE_SOURCE succeeded
   */
  static QuiescedDatabase requireQuiesced(AttemptJournal journal, String database) {
    return quiesced(journal, database)
        .orElseThrow(
            () -> new IllegalStateException("QUIESCE_SOURCE saved nothing for " + database));
  }

  /** The checksums DUMP or RESTORE recorded under {@code key}, by database name. */
  static Map<String, DatabaseChecksums> checksums(AttemptJournal journal, String key) {
    Map<String, DatabaseChecksums> byDatabase = new HashMap<>();
    journal
        .get(key, DatabaseChecksums[].class)
        .ifPresent(all -> List.of(all).forEach(one -> byDatabase.put(one.database(), one)));
    return byDatabase;
  }

  static List<String> strings(AttemptJournal journal, String key) {
    return journal.get(key, String[].class).map(List::of).orElse(List.of());
  }

  /** Adds {@code value} to the string list under {@code key}, if it is not there yet. */
  static void addString(AttemptJournal journal, String key, String value) {
    List<String> values = new ArrayList<>(strings(journal, key));
    if (!values.contains(value)) {
      values.add(value);
      journal.put(key, values);
    }
  }

  /** Removes {@code value} from the string list under {@code key}; the key goes when empty. */
  static void removeString(AttemptJournal journal, String key, String value) {
    List<String> values = new ArrayList<>(strings(journal, key));
    if (values.remove(value)) {
      if (values.isEmpty()) {
        journal.remove(key);
      } else {
        journal.put(key, values);
      }
    }
  }
}
