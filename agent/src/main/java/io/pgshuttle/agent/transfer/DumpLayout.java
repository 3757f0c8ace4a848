package io.pgshuttle.agent.transfer;

import io.pgshuttle.agent.pipeline.NonRetryableStepException;
import io.pgshuttle.agent.postgres.Sql;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The files of a dump on the disk, and the instructions for restoring it by hand that DUMP writes
 * beside them. Per database, in its directory: {@link #SCHEMA_FILE}, {@link #DATA_DIRECTORY} with
 * one COPY text file per table or range of a table, {@link Manifest#FILE_NAME} and {@link
 * #LOAD_SCRIPT}. Stateless.
 */
public final class DumpLayout {
  public static final String SCHEMA_FILE = "schema.dump";
  public static final String DATA_DIRECTORY = "data";
  public static final String LOAD_SCRIPT = "load-data.psql";
  public static final String BY_HAND_FILE = "RESTORE-BY-HAND.md";

  /** What {@link #BY_HAND_FILE} says, at the top of the dump. */
  public static final String BY_HAND =
      String.format(
          Locale.ROOT,
          """
      # Restoring this dump by hand

      pgshuttle wrote this directory with standard PostgreSQL formats only. To restore it without
      pgshuttle, with the PostgreSQL client tools (at least the source's major version):

      1. Roles: `psql -d postgres -f globals.sql` (the output of `pg_dumpall --globals-only
         --no-tablespaces`; drop the lines of roles the server has already).
      2. For each database directory (`1`, `2`, ...; `manifest.json` names no database, the
         attempt's journal and events do):
         1. `createdb -T template0 -E ENCODING NAME` with the `encoding` that `manifest.json`
            records (and the owner, locale and settings you want).
         2. `pg_restore --section=pre-data --exit-on-error --no-tablespaces -d NAME schema.dump`:
            schemas, types, functions, tables without their rows.
         3. `cd` into the directory and `psql -v ON_ERROR_STOP=1 -d NAME -f load-data.psql`: one
            `\\copy` per file of `data/` into its table, with the columns `manifest.json` lists
            (generated columns are computed by the server). A table in several files was split by
            ranges of its pages; load every file of it.
         4. `pg_restore -j 4 --section=data --section=post-data --exit-on-error --no-tablespaces
            -d NAME schema.dump`: sequence values, large objects, the rows of extensions'
            configuration tables and of the tables not in `data/`, then indexes, constraints,
            triggers, privileges and the refresh of materialized views.

      `schema.dump` holds everything of the database but the rows of the tables in `data/`
      (`pg_dump -Fc --exclude-table-data` of each of them, from the same snapshot as the files).
      `data/` holds the largest tables, up to %,d; the smaller ones beyond keep their rows in
      `schema.dump`.
      Each file of `data/` is COPY text format in the database's encoding, written with DateStyle
      ISO, IntervalStyle postgres, extra_float_digits 3, bytea_output hex and TimeZone UTC.
      `manifest.json` records each file's rows and checksum: the sum modulo 2^64 (a signed 64-bit
      number) of XXHash64, seed 0, of each line without its newline.
      """,
          TableDumper.MAX_TABLES);

  private DumpLayout() {}

  /** The psql script that loads every file of {@code manifest}, run in the database's directory. */
  static String loadScript(Manifest manifest) {
    StringBuilder script = new StringBuilder();
    script.append(
        "-- pgshuttle: loads data/ into the tables restored from schema.dump's pre-data.\n");
    script.append("SET DateStyle = 'ISO, MDY';\nSET IntervalStyle = 'postgres';\n");
    for (Manifest.Table table : manifest.tables()) {
      CopyTable copied = new CopyTable(table.schema(), table.name(), table.columns(), 0);
      for (Manifest.File file : table.files()) {
        script
            .append("\\copy ")
            .append(copied.qualified())
            .append(copied.columnList())
            .append(" FROM ")
            .append(Sql.literal(file.path()))
            .append(" WITH (FORMAT text, ENCODING ")
            .append(Copies.encodingLiteral(manifest.encoding()))
            .append(")\n");
      }
    }
    return script.toString();
  }

  /** The step failure for a file of the dump that cannot be written or read. */
  public static NonRetryableStepException diskFailure(Path path, IOException e) {
    return new NonRetryableStepException(
        "cannot use "
            + path
            + " on the disk (check that it is mounted and has room): "
            + e.getMessage(),
        e);
  }
}
