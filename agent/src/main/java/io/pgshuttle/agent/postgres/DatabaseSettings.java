package io.pgshuttle.agent.postgres;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Turns the entries of {@code pg_db_role_setting.setconfig} ({@code name=value}) back into the
 * {@code ALTER DATABASE … SET} and {@code ALTER ROLE … IN DATABASE … SET} statements that made
 * them, as {@code pg_dump} does: list-valued settings such as {@code search_path} are split into
 * their elements, each a literal of its own, so the list is not read back as one element.
 * Stateless.
 */
public final class DatabaseSettings {
  /** The settings PostgreSQL flattens as a quoted list (GUC_LIST_QUOTE). */
  private static final Set<String> LIST_SETTINGS =
      Set.of(
          "local_preload_libraries",
          "search_path",
          "session_preload_libraries",
          "shared_preload_libraries",
          "temp_tablespaces",
          "unix_socket_directories");

  private DatabaseSettings() {}

  /**
   * The statement that sets {@code entry} for {@code database}, or for {@code role} in it.
   *
   * @param role null for a setting of the database itself
   * @throws IllegalArgumentException if {@code entry} holds no {@code =}
   */
  public static String alterStatement(String database, String role, String entry) {
    int equals = entry.indexOf('=');
    if (equals <= 0) {
      throw new IllegalArgumentException("not a name=value setting: " + entry);
    }
    String name = entry.substring(0, equals);
    String value = entry.substring(equals + 1);
    String target =
        role == null
            ? "ALTER DATABASE " + Sql.identifier(database)
            : "ALTER ROLE " + Sql.identifier(role) + " IN DATABASE " + Sql.identifier(database);
    return target + " SET " + Sql.identifier(name) + " TO " + valueSql(name, value);
  }

  private static String valueSql(String name, String value) {
    if (!LIST_SETTINGS.contains(name.toLowerCase(Locale.ROOT))) {
      return Sql.literal(value);
    }
    List<String> elements = splitList(value);
    if (elements.isEmpty()) {
      return "''";
    }
    return String.join(", ", elements.stream().map(Sql::literal).toList());
  }

  /**
   * The elements of a flattened list setting: separated by commas, each optionally in double quotes
   * (with {@code ""} for a quote), surrounding blanks dropped.
   */
  static List<String> splitList(String value) {
    List<String> elements = new ArrayList<>();
    int position = 0;
    int length = value.length();
    while (position < length) {
      while (position < length && Character.isWhitespace(value.charAt(position))) {
        position++;
      }
      if (position >= length) {
        break;
      }
      StringBuilder element = new StringBuilder();
      if (value.charAt(position) == '"') {
        position++;
        while (position < length) {
          char c = value.charAt(position);
          if (c == '"' && position + 1 < length && value.charAt(position + 1) == '"') {
            element.append('"');
            position += 2;
          } else if (c == '"') {
            position++;
            break;
          } else {
            element.append(c);
            position++;
          }
        }
        while (position < length && value.charAt(position) != ',') {
          position++;
        }
      } else {
        int comma = value.indexOf(',', position);
        int end = comma < 0 ? length : comma;
        element.append(value.substring(position, end).strip());
        position = end;
      }
      elements.add(element.toString());
      position++;
    }
    return elements;
  }
}
