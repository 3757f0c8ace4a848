package io.pgshuttle.agent.postgres;

/**
 * Quoting for the few places where SQL text must hold a name or a value. Identifiers are always
 * double-quoted, so mixed case, keywords and non-ASCII names come through unchanged. Values go
 * through bind parameters wherever PostgreSQL accepts one; {@link #literal} is for utility
 * statements (CREATE DATABASE, ALTER … SET) that take none. Stateless.
 */
public final class Sql {
  private Sql() {}

  /**
   * {@code name} as a quoted identifier, {@code "} doubled.
   *
   * @throws IllegalArgumentException if {@code name} is empty or holds a NUL character, which no
   *     PostgreSQL identifier can
   */
  public static String identifier(String name) {
    if (name == null || name.isEmpty() || name.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("not a valid SQL identifier: '" + name + "'");
    }
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  /** {@code schema.name}, each part quoted. */
  public static String qualified(String schema, String name) {
    return identifier(schema) + "." + identifier(name);
  }

  /**
   * {@code value} as a string literal that reads the same whatever {@code
   * standard_conforming_strings} is: {@code '} doubled, and an {@code E''} literal with doubled
   * backslashes when the value holds a backslash (as {@code quote_literal} does).
   *
   * @throws IllegalArgumentException if {@code value} holds a NUL character
   */
  public static String literal(String value) {
    if (value.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("a SQL literal cannot hold a NUL character");
    }
    String quoted = value.replace("'", "''");
    if (quoted.indexOf('\\') >= 0) {
      return "E'" + quoted.replace("\\", "\\\\") + "'";
    }
    return "'" + quoted + "'";
  }
}
