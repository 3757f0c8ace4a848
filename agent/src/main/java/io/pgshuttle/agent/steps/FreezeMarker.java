package io.pgshuttle.agent.steps;

import io.pgshuttle.agent.postgres.Databases;
import io.pgshuttle.agent.postgres.Jdbc;
import io.pgshuttle.agent.postgres.PgVersion;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Where the source stood once QUIESCE_SOURCE had closed it: VERIFY fails the attempt if a
 * transaction id was handed out since (the WAL moves without writes too: checkpoints, hint bits).
 *
 * @param walLsn the WAL position, as text such as {@code 0/19442E0}
 * @param nextTransactionId the first transaction id not yet assigned
 */
public record FreezeMarker(String walLsn, long nextTransactionId) {

  /** Where the server of {@code connection} stands now. */
  static FreezeMarker current(Connection connection) throws SQLException {
    PgVersion version = Databases.serverVersion(connection);
    String lsn = version.atLeast(10) ? "pg_current_wal_lsn()" : "pg_current_xlog_location()";
    String nextXid =
        version.atLeast(13)
            ? "pg_snapshot_xmax(pg_current_snapshot())::text::bigint"
            : "txid_snapshot_xmax(txid_current_snapshot())";
    return Jdbc.first(
            connection,
            "SELECT " + lsn + "::text, " + nextXid,
            row -> new FreezeMarker(row.getString(1), row.getLong(2)))
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
