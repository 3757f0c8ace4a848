package io.pgshuttle.agent.transfer;

import io.pgshuttle.agent.postgres.Sql;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A table whose rows DUMP copies itself: an ordinary table or partition, not an extension's.
 *
 * @param schema its schema
 * @param name its name
 * @param columns the columns COPY moves, in order: neither dropped nor generated ones
 * @param pages its size in pages on the source
 */
public record CopyTable(String schema, String name, List<String> columns, long pages) {
  public CopyTable {
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(name, "name");
    columns = List.copyOf(columns);
  }

  /** {@code "schema"."name"}. */
  public String qualified() {
    return Sql.qualified(schema, name);
  }

  /**
   * A {@code pg_dump} / psql pattern that matches this table and no other: inside double quotes
   * {@code *}, {@code ?} and {@code .} are literal and {@code ""} is a quote, which is how {@link
   * Sql#qualified} writes names.
   */
  public String dumpPattern() {
    return qualified();
  }

  /** {@code ("a", "b")}, or nothing for a table without columns (COPY then takes them all). */
  public String columnList() {
    return columns.isEmpty()
        ? ""
        : columns.stream().map(Sql::identifier).collect(Collectors.joining(", ", " (", ")"));
  }

  /** The columns for a select list. */
  String selectList() {
    return columns.stream().map(Sql::identifier).collect(Collectors.joining(", "));
  }
}
