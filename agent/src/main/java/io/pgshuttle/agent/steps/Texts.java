package io.pgshuttle.agent.steps;

import io.pgshuttle.agent.postgres.Sql;
import java.util.List;
import java.util.Locale;

/** Wording shared by the steps' summaries and messages. Stateless. */
final class Texts {
  private static final String[] BYTE_UNITS = {"bytes", "kB", "MB", "GB", "TB"};
  private static final int KILO = 1024;

  private Texts() {}

  /** {@code 1 table}, {@code 1,000,512 rows}: a count with its noun, plural unless one. */
  /** Such as {@code dumping "shop" (1 of 2)}. */
  static String databaseOfPlan(String verb, PlannedDatabase database, MigrationPlan plan) {
    return verb
        + " "
        + Sql.identifier(database.name())
        + " ("
        + database.index()
        + " of "
        + plan.databases().size()
        + ")";
  }

  static String count(long count, String noun) {
    return String.format(Locale.ROOT, "%,d", count) + " " + noun + (count == 1 ? "" : "s");
  }

  /** A size for people: {@code 512 bytes}, {@code 1.5 MB}. */
  static String bytes(long bytes) {
    double value = bytes;
    int unit = 0;
    while (value >= KILO && unit < BYTE_UNITS.length - 1) {
      value /= KILO;
      unit++;
    }
    return unit == 0
        ? bytes + " bytes"
        : String.format(Locale.ROOT, "%.1f %s", value, BYTE_UNITS[unit]);
  }

  /** Names as quoted identifiers, comma-separated: {@code "a", "B c"}. */
  static String quotedList(List<String> names) {
    return String.join(", ", names.stream().map(Sql::identifier).toList());
  }
}
