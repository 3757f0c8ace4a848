package io.pgshuttle.agent.postgres;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What VERIFY compares of one database: every table's rows, sequences, large objects, the objects
 * of each schema and the extensions. Names are qualified and quoted, such as {@code
 * public."Orders"}. Immutable.
 *
 * @param tables by qualified name
 * @param sequences by qualified name
 * @param schemas by schema name
 * @param extensions version by extension name
 */
public record DatabaseFingerprint(
    SortedMap<String, TableData> tables,
    SortedMap<String, SequenceState> sequences,
    LargeObjects largeObjects,
    SortedMap<String, SchemaInventory> schemas,
    SortedMap<String, String> extensions) {

  /**
   * A table's rows.
   *
   * @param checksum an order-independent sum of 64-bit hashes of each row (computed by the servers
   *     from {@code row::text}, or by the agent from COPY text while the data streamed); null when
   *     only counts were compared
   */
  public record TableData(long rows, BigDecimal checksum) {}

  public record SequenceState(long lastValue, boolean isCalled) {
    @Override
    public String toString() {
      return lastValue + (isCalled ? " (called)" : " (not called)");
    }
  }

  /**
   * @param checksum over oid and content; null when only counts were compared
   */
  public record LargeObjects(long count, BigDecimal checksum) {}

  /** How many objects of each kind a schema holds. */
  public record SchemaInventory(
      long tables,
      long views,
      long materializedViews,
      long functions,
      long indexes,
      long constraints,
      long triggers) {

    Map<String, Long> byKind() {
      Map<String, Long> kinds = new LinkedHashMap<>();
      kinds.put("tables", tables);
      kinds.put("views", views);
      kinds.put("materialized views", materializedViews);
      kinds.put("functions", functions);
      kinds.put("indexes", indexes);
      kinds.put("constraints", constraints);
      kinds.put("triggers", triggers);
      return kinds;
    }
  }

  public DatabaseFingerprint {
    tables = new TreeMap<>(tables);
    sequences = new TreeMap<>(sequences);
    Objects.requireNonNull(largeObjects, "largeObjects");
    schemas = new TreeMap<>(schemas);
    extensions = new TreeMap<>(extensions);
  }

  /** This fingerprint with {@code more} tables beside its own, which it must not hold. */
  public DatabaseFingerprint plusTables(SortedMap<String, TableData> more) {
    SortedMap<String, TableData> all = new TreeMap<>(tables);
    more.forEach(
        (table, data) -> {
          if (all.putIfAbsent(table, data) != null) {
            throw new IllegalArgumentException("the fingerprint holds " + table + " already");
          }
        });
    return new DatabaseFingerprint(all, sequences, largeObjects, schemas, extensions);
  }

  /** The number of rows over all tables. */
  public long totalRows() {
    return tables.values().stream().mapToLong(TableData::rows).sum();
  }

  /**
   * How {@code found} differs from this fingerprint, each difference a sentence naming the object
   * and both values; empty when they are equal.
   */
  public List<String> differencesFrom(DatabaseFingerprint found) {
    List<String> differences = new ArrayList<>();
    for (String name : union(tables.keySet(), found.tables.keySet())) {
      TableData expected = tables.get(name);
      TableData actual = found.tables.get(name);
      if (expected == null || actual == null) {
        differences.add(presence("table", name, expected != null));
      } else if (expected.rows() != actual.rows()) {
        differences.add(
            "table "
                + name
                + ": "
                + expected.rows()
                + " rows on the source, "
                + actual.rows()
                + " on the target");
      } else if (!Objects.equals(expected.checksum(), actual.checksum())) {
        differences.add("table " + name + ": same row count, different row contents");
      }
    }
    for (String name : union(sequences.keySet(), found.sequences.keySet())) {
      SequenceState expected = sequences.get(name);
      SequenceState actual = found.sequences.get(name);
      if (expected == null || actual == null) {
        differences.add(presence("sequence", name, expected != null));
      } else if (!expected.equals(actual)) {
        differences.add(
            "sequence " + name + ": " + expected + " on the source, " + actual + " on the target");
      }
    }
    if (largeObjects.count() != found.largeObjects.count()) {
      differences.add(
          "large objects: "
              + largeObjects.count()
              + " on the source, "
              + found.largeObjects.count()
              + " on the target");
    } else if (!Objects.equals(largeObjects.checksum(), found.largeObjects.checksum())) {
      differences.add("large objects: same count, different contents");
    }
    for (String schema : union(schemas.keySet(), found.schemas.keySet())) {
      SchemaInventory expected = schemas.get(schema);
      SchemaInventory actual = found.schemas.get(schema);
      if (expected == null || actual == null) {
        differences.add(presence("schema", schema, expected != null));
        continue;
      }
      Map<String, Long> actualKinds = actual.byKind();
      expected
          .byKind()
          .forEach(
              (kind, count) -> {
                if (!count.equals(actualKinds.get(kind))) {
                  differences.add(
                      "schema "
                          + schema
                          + ": "
                          + count
                          + " "
                          + kind
                          + " on the source, "
                          + actualKinds.get(kind)
                          + " on the target");
                }
              });
    }
    for (String extension : union(extensions.keySet(), found.extensions.keySet())) {
      String expected = extensions.get(extension);
      String actual = found.extensions.get(extension);
      if (expected == null || actual == null) {
        differences.add(presence("extension", extension, expected != null));
      } else if (!expected.equals(actual)) {
        differences.add(
            "extension "
                + extension
                + ": version "
                + expected
                + " on the source, "
                + actual
                + " on the target");
      }
    }
    return differences;
  }

  private static String presence(String kind, String name, boolean onSource) {
    return kind + " " + name + (onSource ? " is missing on the target" : " is only on the target");
  }

  private static TreeSet<String> union(Set<String> expected, Set<String> found) {
    TreeSet<String> all = new TreeSet<>(expected);
    all.addAll(found);
    return all;
  }
}
