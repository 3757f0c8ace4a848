package io.pgshuttle.coordinator.store;

/**
 * Makes free text from agents and requests storable: PostgreSQL text holds no NUL character, and a
 * status view needs no megabyte of tool output. Pure functions.
 */
public final class StoredText {
  /** Longer text is cut to this many characters, ending with an ellipsis. */
  public static final int MAX_LENGTH = 8000;

  private StoredText() {}

  /** {@code text} without NUL characters and at most {@link #MAX_LENGTH} long; null stays null. */
  public static String clean(String text) {
    if (text == null) {
      return null;
    }
    String withoutNul = text.indexOf('\0') < 0 ? text : text.replace("\0", "");
    return withoutNul.length() <= MAX_LENGTH
        ? withoutNul
        : withoutNul.substring(0, MAX_LENGTH - 1) + "…";
  }
}
