package io.pgshuttle.messages;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/** Rules for the names that reach routing keys, SQL identifiers and file paths. */
public final class Names {
  private static final Pattern INSTANCE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}");
  private static final int MAX_IDENTIFIER_BYTES = 63;

  private Names() {}

  /**
   * Whether {@code id} can name an instance: 1 to 63 letters, digits, {@code _} or {@code -},
   * starting with a letter or digit. No dots, since it is a segment of topic routing keys.
   */
  public static boolean isValidInstanceId(String id) {
    return id != null && INSTANCE_ID.matcher(id).matches();
  }

  /** Whether {@code name} can name a PostgreSQL database: 1 to 63 bytes of UTF-8, no NUL. */
  public static boolean isValidDatabaseName(String name) {
    return name != null
        && !name.isEmpty()
        && name.indexOf('\0') < 0
        && name.getBytes(StandardCharsets.UTF_8).length <= MAX_IDENTIFIER_BYTES;
  }
}
