package io.pgshuttle.agent.postgres;

/**
 * How VERIFY hashes a row's text for its order-independent table checksums: 64 bits per row, summed
 * by the server. Both sides of a comparison must use the same one.
 */
public enum RowHash {
  /** The first 64 bits of {@code md5}: any server version, but four times the CPU of the other. */
  MD5("('x' || substr(md5(%s), 1, 16))::bit(64)::bigint"),

  /**
   * {@code hashtextextended}, PostgreSQL 11 and later. Its value depends on the byte order of the
   * server's machine, which is the same (little-endian) on every platform clouds offer.
   */
  HASHTEXT("hashtextextended(%s, 0)");

  private static final int HASHTEXT_SINCE = 11;

  private final String expression;

  RowHash(String expression) {
    this.expression = expression;
  }

  /** The fastest hash both servers have. */
  public static RowHash forServers(PgVersion one, PgVersion other) {
    return one.atLeast(HASHTEXT_SINCE) && other.atLeast(HASHTEXT_SINCE) ? HASHTEXT : MD5;
  }

  /** SQL for the sum of the hashes of {@code text} over the rows, 0 for none; a numeric. */
  String sumOf(String text) {
    return "coalesce(sum(" + String.format(expression, text) + "), 0)";
  }
}
