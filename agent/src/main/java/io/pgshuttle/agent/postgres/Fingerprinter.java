package io.pgshuttle.agent.postgres;

import io.pgshuttle.agent.pipeline.Cancellation;
import io.pgshuttle.agent.pipeline.StepException;
import io.pgshuttle.agent.postgres.DatabaseFingerprint.LargeObjects;
import io.pgshuttle.agent.postgres.DatabaseFingerprint.SchemaInventory;
import io.pgshuttle.agent.postgres.DatabaseFingerprint.SequenceState;
import io.pgshuttle.agent.postgres.DatabaseFingerprint.TableData;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Reads a {@link DatabaseFingerprint} on a connection to the database. Row checksums sum a 64-bit
 * {@link RowHash} of {@code row::text}, so they do not depend on row order or physical layout; both
 * sides must be read with the same hash and session settings, which pgjdbc fixes (DateStyle,
 * TimeZone, extra_float_digits). Tables that belong to an extension are left out, as {@code
 * pg_dump} leaves them out. Stateless.
 */
public final class Fingerprinter {
  /** SQL condition on {@code pg_namespace n}: the schemas that hold user objects. */
  public static final String USER_SCHEMAS =
      "n.nspname NOT IN ('pg_catalog', 'information_schema')"
          + " AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'";

  private Fingerprinter() {}

  /**
   * Reads the fingerprint, with checksums of rows and large objects by {@code rowHash} unless it is
   * null (counts only). The tables in {@code checkedElsewhere} (as {@link Sql#qualified}) are left
   * out of it: the caller has their counts and checksums from elsewhere. Checks {@code
   * cancellation} between tables.
   */
  public static DatabaseFingerprint collect(
      Connection connection,
      RowHash rowHash,
      Set<String> checkedElsewhere,
      Cancellation cancellation)
      throws SQLException, StepException {
    SortedMap<String, TableData> tables = new TreeMap<>();
    for (List<String> table : relations(connection, "r", true)) {
      cancellation.throwIfCancelled();
      String from = Sql.qualified(table.get(0), table.get(1));
      if (checkedElsewhere.contains(from)) {
        continue;
      }
      String sql =
          rowHash != null
              ? "SELECT count(*), "
                  + rowHash.sumOf("ROW(pgshuttle_row.*)::text")
                  + " FROM "
                  + from
                  + " pgshuttle_row"
              : "SELECT count(*), NULL::numeric FROM " + from;
      tables.put(
          from,
          Jdbc.first(connection, sql, row -> new TableData(row.getLong(1), row.getBigDecimal(2)))
              .orElseThrow());
    }
    SortedMap<String, SequenceState> sequences = new TreeMap<>();
    for (List<String> sequence : relations(connection, "S", false)) {
      String name = Sql.qualified(sequence.get(0), sequence.get(1));
      sequences.put(
          name,
          Jdbc.first(
                  connection,
                  "SELECT last_value, is_called FROM " + name,
                  row -> new SequenceState(row.getLong(1), row.getBoolean(2)))
              .orElseThrow());
    }
    cancellation.throwIfCancelled();
    LargeObjects largeObjects =
        Jdbc.first(
                connection,
                rowHash != null
                    ? "SELECT count(*), "
                        + rowHash.sumOf("m.oid::text || ':' || md5(lo_get(m.oid))")
                        + " FROM pg_largeobject_metadata m"
                    : "SELECT count(*), NULL::numeric FROM pg_largeobject_metadata",
                row -> new LargeObjects(row.getLong(1), row.getBigDecimal(2)))
            .orElseThrow();
    return new DatabaseFingerprint(
        tables, sequences, largeObjects, schemas(connection), extensions(connection));
  }

  /** Schema and name of the relations of {@code kind}, extension members left out if asked. */
  private static List<List<String>> relations(
      Connection connection, String kind, boolean withoutExtensionMembers) throws SQLException {
    return Jdbc.list(
        connection,
        "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE c.relkind = ? AND "
            + USER_SCHEMAS
            + (withoutExtensionMembers
                ? " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid ="
                    + " 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')"
                : "")
            + " ORDER BY 1, 2",
        row -> List.of(row.getString(1), row.getString(2)),
        kind);
  }

  private static SortedMap<String, SchemaInventory> schemas(Connection connection)
      throws SQLException {
    SortedMap<String, SchemaInventory> schemas = new TreeMap<>();
    for (Map.Entry<String, SchemaInventory> schema :
        Jdbc.list(
            connection,
            "SELECT n.nspname,"
                + relationCount("'r', 'p'")
                + ","
                + relationCount("'v'")
                + ","
                + relationCount("'m'")
                + ", (SELECT count(*) FROM pg_proc p WHERE p.pronamespace = n.oid),"
                + relationCount("'i', 'I'")
                + ", (SELECT count(*) FROM pg_constraint k WHERE k.connamespace = n.oid"
                + " AND k.contype IN ('c', 'f', 'p', 'u', 'x', 't')),"
                + " (SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                + " WHERE c.relnamespace = n.oid AND NOT t.tgisinternal)"
                + " FROM pg_namespace n WHERE "
                + USER_SCHEMAS,
            row ->
                Map.entry(
                    Sql.identifier(row.getString(1)),
                    new SchemaInventory(
                        row.getLong(2),
                        row.getLong(3),
                        row.getLong(4),
                        row.getLong(5),
                        row.getLong(6),
                        row.getLong(7),
                        row.getLong(8))))) {
      schemas.put(schema.getKey(), schema.getValue());
    }
    return schemas;
  }

  private static String relationCount(String kinds) {
    return " (SELECT count(*) FROM pg_class c WHERE c.relnamespace = n.oid AND c.relkind IN ("
        + kinds
        + "))";
  }

  private static SortedMap<String, String> extensions(Connection connection) throws SQLException {
    SortedMap<String, String> extensions = new TreeMap<>();
    for (List<String> extension :
        Jdbc.list(
            connection,
            "SELECT extname, extversion FROM pg_extension",
            row -> List.of(row.getString(1), row.getString(2)))) {
      extensions.put(extension.get(0), extension.get(1));
    }
    return extensions;
  }

  /** The roles of the cluster other than the built-in {@code pg_*} ones. */
  public static List<String> roles(Connection connection) throws SQLException {
    return Jdbc.list(
        connection,
        "SELECT rolname FROM pg_roles WHERE rolname !~ '^pg_' ORDER BY 1",
        row -> row.getString(1));
  }
}
