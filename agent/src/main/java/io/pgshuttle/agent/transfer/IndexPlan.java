package io.pgshuttle.agent.transfer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which entries of a schema dump's table of contents ({@code pg_restore --list}) build an index of
 * a copied table, and the list that restores everything else. An entry is recognised by the catalog
 * and oid the dump records for it, which are the source's, matched against the {@link TableIndex}es
 * DUMP read in the same snapshot; only {@code INDEX} and {@code CONSTRAINT} entries qualify (a
 * constraint's index has no entry of its own). Names are never parsed, so no name can confuse it.
 * Foreign keys, index attachments, the indexes of partitioned tables, triggers and the rest stay in
 * the final list. Immutable.
 */
final class IndexPlan {
  /** A list line: dump id, catalog oid, object oid, then the type and names. */
  private static final Pattern ENTRY = Pattern.compile("^(\\d+); (\\d+) (\\d+) (.*)$");

  /**
   * One entry that builds an index.
   *
   * @param dumpId its dump id in the archive
   * @param line its line of the list, which {@code pg_restore --use-list} takes
   */
  record Build(int dumpId, String line, TableIndex index) {}

  private final List<String> lines;
  private final Map<String, List<Build>> byTable;

  private IndexPlan(List<String> lines, Map<String, List<Build>> byTable) {
    this.lines = lines;
    this.byTable = byTable;
  }

  /** The plan for the list {@code listing} of a dump whose copied tables have {@code indexes}. */
  static IndexPlan of(String listing, List<TableIndex> indexes) {
    Map<List<Long>, TableIndex> known = new HashMap<>();
    for (TableIndex index : indexes) {
      known.put(List.of(index.catalog(), index.oid()), index);
    }
    List<String> lines = listing.lines().toList();
    Map<String, List<Build>> byTable = new HashMap<>();
    for (String line : lines) {
      Matcher entry = ENTRY.matcher(line);
      if (!entry.matches()) {
        continue;
      }
      TableIndex index =
          known.get(List.of(Long.parseLong(entry.group(2)), Long.parseLong(entry.group(3))));
      if (index != null
          && entry.group(4).startsWith(index.constraint() ? "CONSTRAINT " : "INDEX ")) {
        byTable
            .computeIfAbsent(index.table(), table -> new ArrayList<>())
            .add(new Build(Integer.parseInt(entry.group(1)), line, index));
      }
    }
    // Builds that share their table first: a constraint added whole locks it.
    byTable
        .values()
        .forEach(builds -> builds.sort(Comparator.comparing(b -> b.index().locksTable())));
    return new IndexPlan(lines, byTable);
  }

  /**
   * The builds of {@code table} (as {@link CopyTable#qualified}), those that lock the table last.
   */
  List<Build> builds(String table) {
    return byTable.getOrDefault(table, List.of());
  }

  /** The list with the entries of {@code built} (dump ids) commented out. */
  String rest(Set<Integer> built) {
    StringBuilder rest = new StringBuilder();
    for (String line : lines) {
      Matcher entry = ENTRY.matcher(line);
      if (entry.matches() && built.contains(Integer.parseInt(entry.group(1)))) {
        rest.append(';');
      }
      rest.append(line).append('\n');
    }
    return rest.toString();
  }
}
