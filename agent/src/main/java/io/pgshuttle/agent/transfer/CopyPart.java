package io.pgshuttle.agent.transfer;

import java.util.Objects;

/**
 * One file's share of a table: the whole table, or the rows whose ctid lies in a range of pages
 * (PostgreSQL 14 and later scan such a range only). The first part has no lower bound and the last
 * no upper one, so rows beyond the size measured at planning are not lost.
 *
 * @param table the table
 * @param file the file's number, unique in the database's dump
 * @param part 1 and up, of {@code parts}
 * @param parts how many files hold the table
 * @param fromPage first page of the range, null for none
 * @param toPage page after the range, null for none
 */
public record CopyPart(CopyTable table, int file, int part, int parts, Long fromPage, Long toPage) {
  public CopyPart {
    Objects.requireNonNull(table, "table");
  }

  /** {@code data/<file>.copy}, relative to the database's dump directory. */
  public String fileName() {
    return "data/" + file + ".copy";
  }

  /** Whether this part holds the whole table. */
  public boolean whole() {
    return parts == 1;
  }

  /** The COPY statement that writes this part to the client in text format. */
  String copyOut(String encoding) {
    String options =
        " TO STDOUT WITH (FORMAT text, ENCODING " + Copies.encodingLiteral(encoding) + ")";
    if (whole()) {
      return "COPY " + table.qualified() + table.columnList() + options;
    }
    StringBuilder where = new StringBuilder();
    if (fromPage != null) {
      where.append("ctid >= '(").append(fromPage).append(",0)'::tid");
    }
    if (toPage != null) {
      where
          .append(where.length() > 0 ? " AND " : "")
          .append("ctid < '(")
          .append(toPage)
          .append(",0)'::tid");
    }
    return "COPY (SELECT "
        + table.selectList()
        + " FROM ONLY "
        + table.qualified()
        + (where.length() > 0 ? " WHERE " + where : "")
        + ")"
        + options;
  }
}
