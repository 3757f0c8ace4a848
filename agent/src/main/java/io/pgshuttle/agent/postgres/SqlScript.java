package io.pgshuttle.agent.postgres;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds the statements of a SQL script as psql would run it: statements end at a {@code ;} outside
 * quotes, dollar quotes and comments; a line that starts with {@code \} is a psql meta-command.
 * Enough of PostgreSQL's lexer for {@code pg_dumpall} output. Stateless.
 */
public final class SqlScript {
  private SqlScript() {}

  /**
   * A statement's place in the script: {@code text.substring(start, end)} is the statement with its
   * terminating {@code ;} (or the meta-command line without its newline).
   */
  public record Span(int start, int end) {}

  /** The statements and meta-commands of {@code text}, in order. */
  public static List<Span> statements(String text) {
    List<Span> spans = new ArrayList<>();
    int position = 0;
    int length = text.length();
    while (position < length) {
      position = skipBlankAndComments(text, position);
      if (position >= length) {
        break;
      }
      int start = position;
      if (text.charAt(position) == '\\') {
        int newline = text.indexOf('\n', position);
        int end = newline < 0 ? length : newline;
        spans.add(new Span(start, end));
        position = end;
        continue;
      }
      position = statementEnd(text, position);
      spans.add(new Span(start, position));
    }
    return spans;
  }

  private static int skipBlankAndComments(String text, int position) {
    int length = text.length();
    while (position < length) {
      char c = text.charAt(position);
      if (Character.isWhitespace(c)) {
        position++;
      } else if (text.startsWith("--", position)) {
        int newline = text.indexOf('\n', position);
        position = newline < 0 ? length : newline + 1;
      } else if (text.startsWith("/*", position)) {
        position = blockCommentEnd(text, position);
      } else {
        return position;
      }
    }
    return position;
  }

  /** The index just past the {@code ;} ending the statement that starts at {@code position}. */
  private static int statementEnd(String text, int position) {
    int length = text.length();
    while (position < length) {
      char c = text.charAt(position);
      if (c == ';') {
        return position + 1;
      } else if (c == '\'') {
        boolean escapes =
            position > 0
                && (text.charAt(position - 1) == 'E' || text.charAt(position - 1) == 'e')
                && (position < 2 || !isIdentifierPart(text.charAt(position - 2)));
        position = quotedEnd(text, position, '\'', escapes);
      } else if (c == '"') {
        position = quotedEnd(text, position, '"', false);
      } else if (c == '$' && dollarTag(text, position) != null) {
        String tag = dollarTag(text, position);
        int close = text.indexOf(tag, position + tag.length());
        position = close < 0 ? length : close + tag.length();
      } else if (text.startsWith("--", position)) {
        int newline = text.indexOf('\n', position);
        position = newline < 0 ? length : newline + 1;
      } else if (text.startsWith("/*", position)) {
        position = blockCommentEnd(text, position);
      } else {
        position++;
      }
    }
    return length;
  }

  /** The index past a quoted token opened at {@code position}; a doubled quote stays inside. */
  private static int quotedEnd(String text, int position, char quote, boolean backslashEscapes) {
    int length = text.length();
    position++;
    while (position < length) {
      char c = text.charAt(position);
      if (backslashEscapes && c == '\\') {
        position += 2;
      } else if (c == quote) {
        if (position + 1 < length && text.charAt(position + 1) == quote) {
          position += 2;
        } else {
          return position + 1;
        }
      } else {
        position++;
      }
    }
    return length;
  }

  private static int blockCommentEnd(String text, int position) {
    int depth = 0;
    int length = text.length();
    while (position < length) {
      if (text.startsWith("/*", position)) {
        depth++;
        position += 2;
      } else if (text.startsWith("*/", position)) {
        depth--;
        position += 2;
        if (depth == 0) {
          return position;
        }
      } else {
        position++;
      }
    }
    return length;
  }

  /** The {@code $tag$} opening a dollar quote at {@code position}, or null if there is none. */
  private static String dollarTag(String text, int position) {
    if (position > 0 && isIdentifierPart(text.charAt(position - 1))) {
      return null;
    }
    int end = position + 1;
    while (end < text.length() && text.charAt(end) != '$') {
      char c = text.charAt(end);
      if (!(Character.isLetter(c) || c == '_' || (end > position + 1 && Character.isDigit(c)))) {
        return null;
      }
      end++;
    }
    return end < text.length() ? text.substring(position, end + 1) : null;
  }

  private static boolean isIdentifierPart(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '$';
  }
}
