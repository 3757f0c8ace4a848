package io.pgshuttle.agent.steps;

import io.pgshuttle.agent.postgres.Databases;
import io.pgshuttle.agent.postgres.Jdbc;
import io.pgshuttle.agent.postgres.PgVersion;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where the source stood once QUIESCE_SOURCE had closed it. VERIFY fails the attempt if a migrated
 * database's user tables were written since: their insert, update and delete counters moved.
 * Neither the WAL position nor the transaction counter can tell that alone: both move on a quiet
 * cluster (checkpoints, hint bits, autovacuum's ANALYZE in any database), so they are only
 * reported, and used to tell a write from a real difference when the data disagree.
 *
 * @param walLsn the WAL position, as text such as {@code 0/19442E0}
 * @param nextTransactionId the first transaction id not yet assigned
 * @param userTableWrites per migrated database, {@link #userTableWrites(Connection)}
 */
public record FreezeMarker(
    String walLsn, long nextTransactionId, Map<String, String> userTableWrites) {

  public FreezeMarker {
    userTableWrites = userTableWrites == null ? Map.of() : Map.copyOf(userTableWrites);
  }

  /**
   * The write counters of the database of {@code connection}: rows inserted, updated and deleted in
   * its user tables since the statistics began, and how many user tables there are.
   */
  static String userTableWrites(Connection connection) throws SQLException {
    return Jdbc.first(
            connection,
            "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) || ' rows written in '"
                + " || count(*) || ' tables' FROM pg_stat_user_tables",
            row -> row.getString(1))
        .orElseThrow();
  }

  /** The databases whose user tables were written between this marker and {@code later}. */
  List<String> databasesWrittenBefore(FreezeMarker later) {
    List<String> written = new ArrayList<>();
    userTableWrites.forEach(
        (database, writes) -> {
          if (!writes.equals(later.userTableWrites.get(database))) {
            written.add(database);
          }
        });
    written.sort(null);
    return written;
  }

  /** Where the server of {@code connection} stands now, with the databases' write counters. */
  static FreezeMarker current(Connection connection, Map<String, String> userTableWrites)
      throws SQLException {
    PgVersion version = Databases.serverVersion(connection);
    String lsn = version.atLeast(10) ? "pg_current_wal_lsn()" : "pg_current_xlog_location()";
    String nextXid =
        version.atLeast(13)
            ? "pg_snapshot_xmax(pg_current_snapshot())::text::bigint"
            : "txid_snapshot_xmax(txid_current_snapshot())";
    return Jdbc.first(
            connection,
            "SELECT " + lsn + "::text, " + nextXid,
            row -> new FreezeMarker(row.getString(1), row.getLong(2), userTableWrites))
        .orElseThrow();
  }

  /** How many bytes of WAL lie between this marker and {@code later}. */
  long walBytesUntil(FreezeMarker later) {
    return lsnValue(later.walLsn) - lsnValue(walLsn);
  }

  private static long lsnValue(String lsn) {
    int slash = lsn.indexOf('/');
    return (Long.parseLong(lsn.substring(0, slash), 16) << 32)
        | Long.parseLong(lsn.substring(slash + 1), 16);
  }
}
