package io.pgshuttle.agent.postgres;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Prepares {@code pg_dumpall --globals-only} output for a target that already has roles: the
 * statements that create or change a role the target has ({@code CREATE ROLE}, {@code ALTER ROLE},
 * {@code COMMENT ON ROLE}, {@code SECURITY LABEL … ON ROLE}) are removed, so an existing role is
 * kept as it is instead of failing the restore or being overwritten (its password included).
 * Everything else, membership grants among them, stays. Stateless.
 */
public final class GlobalsFilter {
  private GlobalsFilter() {}

  /**
   * The filtered script and the roles it creates.
   *
   * @param script the script to run on the target
   * @param createdRoles the roles the script creates, in script order
   */
  public record Result(String script, List<String> createdRoles) {
    public Result {
      createdRoles = List.copyOf(createdRoles);
    }
  }

  /** Filters {@code globals} for a target whose roles are {@code existingRoles}. */
  public static Result filter(String globals, Set<String> existingRoles) {
    StringBuilder script = new StringBuilder(globals.length());
    Set<String> created = new LinkedHashSet<>();
    int copied = 0;
    for (SqlScript.Span span : SqlScript.statements(globals)) {
      String statement = globals.substring(span.start(), span.end());
      String role = roleOf(statement);
      if (role == null) {
        continue;
      }
      if (existingRoles.contains(role)) {
        script.append(globals, copied, span.start());
        copied = span.end();
      } else if (isCreateRole(statement)) {
        created.add(role);
      }
    }
    script.append(globals, copied, globals.length());
    return new Result(script.toString(), new ArrayList<>(created));
  }

  private static boolean isCreateRole(String statement) {
    List<Token> tokens = Token.leading(statement, 2);
    return tokens.size() == 2 && tokens.get(0).isWord("CREATE") && tokens.get(1).isWord("ROLE");
  }

  /** The role a role statement is about, or null for any other statement. */
  static String roleOf(String statement) {
    List<Token> tokens = Token.leading(statement, 8);
    if (tokens.size() >= 3
        && (tokens.get(0).isWord("CREATE") || tokens.get(0).isWord("ALTER"))
        && tokens.get(1).isWord("ROLE")) {
      return tokens.get(2).name();
    }
    if (tokens.size() >= 4
        && tokens.get(0).isWord("COMMENT")
        && tokens.get(1).isWord("ON")
        && tokens.get(2).isWord("ROLE")) {
      return tokens.get(3).name();
    }
    if (tokens.size() >= 2 && tokens.get(0).isWord("SECURITY") && tokens.get(1).isWord("LABEL")) {
      for (int i = 2; i + 2 < tokens.size(); i++) {
        if (tokens.get(i).isWord("ON") && tokens.get(i + 1).isWord("ROLE")) {
          return tokens.get(i + 2).name();
        }
      }
    }
    return null;
  }

  /** A word or a quoted identifier at the start of a statement. */
  private record Token(String text, boolean quoted) {
    boolean isWord(String keyword) {
      return !quoted && text.equalsIgnoreCase(keyword);
    }

    /** The identifier this token names: as written when quoted, folded to lower case if not. */
    String name() {
      if (quoted) {
        return text;
      }
      // PostgreSQL folds only ASCII letters of an unquoted identifier in a multibyte encoding.
      StringBuilder folded = new StringBuilder(text.length());
      for (char c : text.toCharArray()) {
        folded.append(c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
      }
      return folded.toString();
    }

    static List<Token> leading(String statement, int limit) {
      List<Token> tokens = new ArrayList<>();
      int position = 0;
      int length = statement.length();
      while (tokens.size() < limit && position < length) {
        char c = statement.charAt(position);
        if (Character.isWhitespace(c)) {
          position++;
        } else if (c == '"') {
          StringBuilder name = new StringBuilder();
          position++;
          while (position < length) {
            char d = statement.charAt(position);
            if (d == '"' && position + 1 < length && statement.charAt(position + 1) == '"') {
              name.append('"');
              position += 2;
            } else if (d == '"') {
              position++;
              break;
            } else {
              name.append(d);
              position++;
            }
          }
          tokens.add(new Token(name.toString(), true));
        } else if (Character.isLetter(c) || c == '_') {
          int start = position;
          while (position < length
              && (Character.isLetterOrDigit(statement.charAt(position))
                  || statement.charAt(position) == '_'
                  || statement.charAt(position) == '$')) {
            position++;
          }
          tokens.add(new Token(statement.substring(start, position), false));
        } else {
          // Punctuation ends the part of the statement that names the role.
          break;
        }
      }
      return tokens;
    }
  }
}
