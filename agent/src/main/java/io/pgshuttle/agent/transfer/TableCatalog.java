package io.pgshuttle.agent.transfer;

import io.pgshuttle.agent.postgres.Fingerprinter;
import io.pgshuttle.agent.postgres.Jdbc;
import io.pgshuttle.agent.postgres.PgVersion;
import io.pgshuttle.agent.postgres.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;

/**
 * Lists the tables DUMP copies itself: ordinary tables and partitions (relkind {@code r}), logged
 * or not, in user schemas, not members of an extension (their data, if any, is an extension's
 * configuration, which {@code pg_dump} handles). Foreign tables hold no data here. Stateless.
 */
public final class TableCatalog {
  /** Generated columns (PostgreSQL 12) are computed by the target, never copied. */
  private static final int GENERATED_COLUMNS_SINCE = 12;

  /** Page ranges are scanned as ranges (TID range scan) from PostgreSQL 14 on. */
  public static final int TID_RANGE_SCAN_SINCE = 14;

  /** The copied tables {@code c} with their schemas {@code n}, for a FROM clause. */
  private static final String COPIED =
      " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
          + " WHERE c.relkind = 'r' AND "
          + Fingerprinter.USER_SCHEMAS
          + " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass"
          + " AND d.objid = c.oid AND d.deptype = 'e')";

  private TableCatalog() {}

  /** The tables, in the snapshot of {@code connection}'s transaction. */
  public static List<CopyTable> tables(Connection connection, PgVersion version)
      throws SQLException {
    String notGenerated =
        version.atLeast(GENERATED_COLUMNS_SINCE) ? " AND a.attgenerated = ''" : "";
    return Jdbc.list(
        connection,
        "SELECT n.nspname, c.relname, pg_relation_size(c.oid)"
            + " / current_setting('block_size')::bigint,"
            + " array(SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = c.oid"
            + " AND a.attnum > 0 AND NOT a.attisdropped"
            + notGenerated
            + " ORDER BY a.attnum)"
            + COPIED,
        row ->
            new CopyTable(
                row.getString(1),
                row.getString(2),
                Arrays.asList((String[]) row.getArray(4).getArray()),
                row.getLong(3)));
  }

  /**
   * The indexes of the copied tables, and their primary key, unique and exclusion constraints, in
   * the snapshot of {@code connection}'s transaction. An index that comes with a constraint is
   * listed too, though its dump has it only in the constraint's entry. A primary key or unique
   * constraint comes with the statements that build it index first ({@link TableIndex.IndexFirst}),
   * unless its index is the table's replica identity or clustering index, which its dump's entry
   * also sets. The connection's {@code search_path} must be empty, so that the index definitions
   * name everything qualified.
   */
  public static List<TableIndex> indexes(Connection connection) throws SQLException {
    return Jdbc.list(
        connection,
        "WITH t AS (SELECT c.oid, c.relname, n.nspname"
            + COPIED
            + ") SELECT 'pg_class'::regclass::oid, i.indexrelid, t.nspname, t.relname, x.relname,"
            + " false, NULL, NULL FROM pg_index i JOIN t ON t.oid = i.indrelid"
            + " JOIN pg_class x ON x.oid = i.indexrelid"
            + " UNION ALL SELECT 'pg_constraint'::regclass::oid, k.oid, t.nspname, t.relname,"
            + " k.conname, true, f.create_index, f.add_constraint"
            + " FROM pg_constraint k JOIN t ON t.oid = k.conrelid"
            + " LEFT JOIN LATERAL (SELECT pg_get_indexdef(i.indexrelid) AS create_index,"
            + " format('ALTER TABLE ONLY %I.%I ADD CONSTRAINT %I %s USING INDEX %I%s',"
            + " t.nspname, t.relname, k.conname,"
            + " CASE k.contype WHEN 'p' THEN 'PRIMARY KEY' ELSE 'UNIQUE' END, x.relname,"
            + " CASE WHEN NOT k.condeferrable THEN ''"
            + " WHEN k.condeferred THEN ' DEFERRABLE INITIALLY DEFERRED'"
            + " ELSE ' DEFERRABLE' END) AS add_constraint"
            + " FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid"
            + " WHERE i.indexrelid = k.conindid AND k.contype IN ('p', 'u')"
            + " AND NOT i.indisreplident AND NOT i.indisclustered) f ON true"
            + " WHERE k.contype IN ('p', 'u', 'x')",
        row ->
            new TableIndex(
                row.getLong(1),
                row.getLong(2),
                Sql.qualified(row.getString(3), row.getString(4)),
                row.getString(5),
                row.getBoolean(6),
                row.getString(7) == null
                    ? null
                    : new TableIndex.IndexFirst(row.getString(7), row.getString(8))));
  }

  /** The database's encoding, such as {@code UTF8}. */
  public static String encoding(Connection connection) throws SQLException {
    return Jdbc.first(
            connection,
            "SELECT pg_encoding_to_char(encoding) FROM pg_database"
                + " WHERE datname = current_database()",
            row -> row.getString(1))
        .orElseThrow();
  }
}
