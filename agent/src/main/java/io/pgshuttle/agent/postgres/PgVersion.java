package io.pgshuttle.agent.postgres;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PostgreSQL major version, compared numerically: 9.6 &lt; 10 &lt; 15.
 *
 * @param number the major version in {@code server_version_num} form without the minor part: 90600
 *     for 9.6, 150000 for 15
 */
public record PgVersion(int number) implements Comparable<PgVersion> {
  private static final Pattern TOOL_VERSION =
      Pattern.compile("\\(PostgreSQL\\) (\\d+)(?:\\.(\\d+))?");

  /** The major version of a {@code server_version_num} such as 150008. */
  public static PgVersion ofServerVersionNum(int serverVersionNum) {
    return serverVersionNum >= 100000
        ? new PgVersion(serverVersionNum / 10000 * 10000)
        : new PgVersion(serverVersionNum / 100 * 100);
  }

  /**
   * The major version in a tool's {@code --version} line, such as {@code pg_dump (PostgreSQL) 15.8
   * (Debian 15.8-1)} or {@code pg_dump (PostgreSQL) 9.6.0}; empty if the line holds none.
   */
  public static Optional<PgVersion> ofToolOutput(String output) {
    Matcher matcher = TOOL_VERSION.matcher(output);
    if (!matcher.find()) {
      return Optional.empty();
    }
    int major = Integer.parseInt(matcher.group(1));
    if (major >= 10) {
      return Optional.of(new PgVersion(major * 10000));
    }
    int minor = matcher.group(2) == null ? 0 : Integer.parseInt(matcher.group(2));
    return Optional.of(new PgVersion(major * 10000 + minor * 100));
  }

  /** Whether this version is at least {@code major} (such as 13). */
  public boolean atLeast(int major) {
    return number >= major * 10000;
  }

  @Override
  public int compareTo(PgVersion other) {
    return Integer.compare(number, other.number);
  }

  /** {@code 15}, or {@code 9.6} before 10. */
  @Override
  public String toString() {
    return number >= 100000
        ? Integer.toString(number / 10000)
        : number / 10000 + "." + number % 10000 / 100;
  }
}
