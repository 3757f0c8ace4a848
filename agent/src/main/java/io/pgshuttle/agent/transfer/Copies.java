package io.pgshuttle.agent.transfer;

import io.pgshuttle.agent.postgres.Jdbc;
import io.pgshuttle.agent.postgres.Sql;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

/**
 * COPY text in and out through pgjdbc's CopyManager, with the session settings that make source and
 * target write the same text for the same rows (so checksums of both sides compare). Stateless.
 */
public final class Copies {
  /**
   * Date, interval, float and bytea output fixed to one form; UTC; no search path (names are
   * qualified, as pg_dump's are); row security off, so a policy fails the copy instead of hiding
   * rows. The encoding is the database's, through COPY's ENCODING option (pgjdbc keeps its session
   * in UTF8).
   */
  static final List<String> SESSION_SETTINGS =
      List.of(
          "SET DateStyle = 'ISO, MDY'",
          "SET IntervalStyle = 'postgres'",
          "SET extra_float_digits = 3",
          "SET bytea_output = 'hex'",
          "SET TimeZone = 'UTC'",
          "SET search_path = ''",
          // row_security exists from 9.5 on; older servers have no row security to hide rows.
          "SELECT set_config('row_security', 'off', false)"
              + " WHERE current_setting('server_version_num')::int >= 90500");

  private Copies() {}

  /** Applies {@link #SESSION_SETTINGS} to {@code connection}. */
  public static void configure(Connection connection) throws SQLException {
    Jdbc.execute(connection, SESSION_SETTINGS.toArray(String[]::new));
  }

  static String encodingLiteral(String encoding) {
    return Sql.literal(encoding);
  }

  /** Writes {@code part} into {@code file}; returns its checksum. */
  static Checksum copyOut(Connection source, CopyPart part, String encoding, Path file)
      throws SQLException, IOException {
    try (OutputStream out = DirectFileStreams.newOutputStream(file)) {
      return copyOut(source, part.copyOut(encoding), out);
    }
  }

  /** The checksum of {@code table} as the server reads it now, through the same COPY text. */
  static Checksum checksum(Connection connection, CopyTable table, String encoding)
      throws SQLException {
    try {
      return copyOut(
          connection, wholeTable(table).copyOut(encoding), OutputStream.nullOutputStream());
    } catch (IOException e) {
      throw new IllegalStateException("the null stream cannot fail", e);
    }
  }

  /** Loads {@code file} into {@code table}; with {@code freeze}, frozen (see COPY FREEZE). */
  static void copyIn(Connection target, CopyTable table, String encoding, Path file, boolean freeze)
      throws SQLException, IOException {
    try (InputStream in = DirectFileStreams.newInputStream(file)) {
      target
          .unwrap(PGConnection.class)
          .getCopyAPI()
          .copyIn(copyInStatement(table, encoding, freeze), in, DirectFileStreams.BUFFER_BYTES);
    }
  }

  /** The COPY FROM statement for {@code table}; also what RESTORE-BY-HAND tells psql. */
  static String copyInStatement(CopyTable table, String encoding, boolean freeze) {
    return "COPY "
        + table.qualified()
        + table.columnList()
        + " FROM STDIN WITH (FORMAT text, ENCODING "
        + encodingLiteral(encoding)
        + (freeze ? ", FREEZE" : "")
        + ")";
  }

  private static CopyPart wholeTable(CopyTable table) {
    return new CopyPart(table, 0, 1, 1, null, null);
  }

  private static Checksum copyOut(Connection connection, String sql, OutputStream out)
      throws SQLException, IOException {
    LineChecksum checksum = new LineChecksum();
    CopyOut copy = connection.unwrap(PGConnection.class).getCopyAPI().copyOut(sql);
    try {
      byte[] row;
      while ((row = copy.readFromCopy()) != null) {
        checksum.update(row, 0, row.length);
        out.write(row);
      }
    } finally {
      if (copy.isActive()) {
        copy.cancelCopy();
      }
    }
    Checksum result = checksum.result();
    if (result.rows() != copy.getHandledRowCount()) {
      throw new SQLException(
          "COPY sent "
              + copy.getHandledRowCount()
              + " rows but "
              + result.rows()
              + " lines: "
              + sql);
    }
    return result;
  }
}
