package io.pgshuttle.agent.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * Catalog reads and utility statements about whole databases, on a connection to any database of
 * the cluster. Stateless; each method runs on the connection it is given.
 */
public final class Databases {
  private static final long SESSION_END_WAIT_NANOS = 10_000_000_000L;
  private static final long SESSION_POLL_MILLIS = 100;

  private Databases() {}

  /** Whether a database of that name exists. */
  public static boolean exists(Connection connection, String name) throws SQLException {
    return Jdbc.first(connection, "SELECT 1 FROM pg_database WHERE datname = ?", row -> 1, name)
        .isPresent();
  }

  /** The definition of database {@code name}, if it exists. */
  public static Optional<DatabaseDefinition> definition(Connection connection, String name)
      throws SQLException {
    boolean icu = serverVersion(connection).atLeast(15);
    String sql =
        "SELECT pg_get_userbyid(d.datdba), pg_encoding_to_char(d.encoding), d.datcollate,"
            + " d.datctype, "
            + (icu ? "CASE WHEN d.datlocprovider = 'i' THEN d.daticulocale END" : "NULL")
            + ", d.datconnlimit, d.datacl IS NULL FROM pg_database d WHERE d.datname = ?";
    Optional<DatabaseDefinition> found =
        Jdbc.first(
            connection,
            sql,
            row ->
                new DatabaseDefinition(
                    name,
                    row.getString(1),
                    row.getString(2),
                    row.getString(3),
                    row.getString(4),
                    row.getString(5),
                    row.getInt(6),
                    row.getBoolean(7),
                    List.of()),
            name);
    if (found.isEmpty()) {
      return found;
    }
    DatabaseDefinition definition = found.get();
    return Optional.of(
        new DatabaseDefinition(
            definition.name(),
            definition.owner(),
            definition.encoding(),
            definition.collate(),
            definition.ctype(),
            definition.iculocale(),
            definition.connectionLimit(),
            definition.defaultAcl(),
            grants(connection, name)));
  }

  /** The privileges in effect on database {@code name}, defaults spelled out. */
  public static List<DatabaseGrant> grants(Connection connection, String name) throws SQLException {
    return Jdbc.list(
        connection,
        "SELECT r.rolname, a.privilege_type, a.is_grantable"
            + " FROM pg_database d"
            + " CROSS JOIN LATERAL aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a"
            + " LEFT JOIN pg_roles r ON r.oid = a.grantee"
            + " WHERE d.datname = ? ORDER BY 1 NULLS FIRST, 2",
        row -> new DatabaseGrant(row.getString(1), row.getString(2), row.getBoolean(3)),
        name);
  }

  /** The names of the superuser roles. */
  public static List<String> superusers(Connection connection) throws SQLException {
    return Jdbc.list(
        connection,
        "SELECT rolname FROM pg_roles WHERE rolsuper ORDER BY 1",
        row -> row.getString(1));
  }

  /**
   * Ends the client sessions on database {@code name} other than this one; those of superusers too
   * when {@code includingSuperusers}. Waits until they are gone.
   *
   * @return how many sessions it ended
   * @throws SQLException if sessions are still there after the wait
   */
  public static int terminateSessions(
      Connection connection, String name, boolean includingSuperusers) throws SQLException {
    // Only client sessions: autovacuum workers leave by themselves when a database is dropped
    // or renamed, and would keep the wait below from ending.
    String sessions =
        " FROM pg_stat_activity a JOIN pg_roles r ON r.oid = a.usesysid"
            + " WHERE a.datname = ? AND a.pid <> pg_backend_pid()"
            + (serverVersion(connection).atLeast(10)
                ? " AND a.backend_type = 'client backend'"
                : "")
            + (includingSuperusers ? "" : " AND NOT r.rolsuper");
    int ended =
        Jdbc.list(
                connection,
                "SELECT pg_terminate_backend(a.pid)" + sessions,
                row -> row.getBoolean(1),
                name)
            .size();
    long deadline = System.nanoTime() + SESSION_END_WAIT_NANOS;
    while (Jdbc.first(connection, "SELECT 1" + sessions, row -> 1, name).isPresent()) {
      if (System.nanoTime() > deadline) {
        throw new SQLException(
            "sessions on database " + name + " did not end within 10 seconds", "55006");
      }
      try {
        Thread.sleep(SESSION_POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SQLException("interrupted while waiting for sessions to end", "57014", e);
      }
    }
    return ended;
  }

  /** Ends every other session on {@code name} and drops it; nothing happens if it is absent. */
  public static void dropIfExists(Connection connection, String name) throws SQLException {
    if (exists(connection, name)) {
      terminateSessions(connection, name, true);
      Jdbc.execute(connection, "DROP DATABASE IF EXISTS " + Sql.identifier(name));
    }
  }

  /** The server's major version. */
  public static PgVersion serverVersion(Connection connection) throws SQLException {
    return Jdbc.first(
            connection,
            "SELECT current_setting('server_version_num')::int",
            row -> PgVersion.ofServerVersionNum(row.getInt(1)))
        .orElseThrow();
  }
}
