package io.pgshuttle.agent.steps;

import io.pgshuttle.agent.transfer.Checksum;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A journal entry: the row counts and checksums of a database's tables, as DUMP computed them on
 * the source while writing the files, or RESTORE on the target after loading them.
 *
 * @param database the database's name on the source
 * @param tables by qualified table name
 */
record DatabaseChecksums(String database, SortedMap<String, Checksum> tables) {
  DatabaseChecksums {
    Objects.requireNonNull(database, "database");
    tables = new TreeMap<>(tables);
  }
}
