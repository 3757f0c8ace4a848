package io.pgshuttle.agent.postgres;

/**
 * libpq connection strings for the client tools. Passing the whole conninfo as {@code --dbname}
 * keeps a database name that looks like a connection string (it holds {@code =} or starts with
 * {@code postgresql://}) from being read as one. The password is never part of it: tools read it
 * from a {@link PgPassFile}. Stateless.
 */
public final class ConnInfo {
  private ConnInfo() {}

  /** The conninfo that reaches {@code database} on {@code endpoint}. */
  public static String of(PgEndpoint endpoint, String database) {
    return "host="
        + value(endpoint.host())
        + " port="
        + endpoint.port()
        + " user="
        + value(endpoint.user())
        + " dbname="
        + value(database)
        + " sslmode="
        + endpoint.sslmode().libpqName()
        + " connect_timeout=10"
        + " application_name=pgshuttle-agent";
  }

  /** A conninfo value: single-quoted, with {@code \} and {@code '} escaped by a backslash. */
  static String value(String raw) {
    return "'" + raw.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }
}
