package io.pgshuttle.agent.steps;

import io.pgshuttle.agent.pipeline.AttemptJournal;
import io.pgshuttle.agent.pipeline.StepException;
import io.pgshuttle.agent.postgres.DatabaseGrant;
import io.pgshuttle.agent.postgres.Databases;
import io.pgshuttle.agent.postgres.Jdbc;
import io.pgshuttle.agent.postgres.PgConnector;
import io.pgshuttle.agent.postgres.PgEndpoint;
import io.pgshuttle.agent.postgres.PgErrors;
import io.pgshuttle.agent.postgres.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Opens the source again from what QUIESCE_SOURCE saved: the original connection limits and the
 * CONNECT privileges it revoked. Used by QUIESCE_SOURCE's compensation and by CLEANUP. Idempotent;
 * databases gone from the source are skipped. Stateless.
 */
final class SourceLock {
  private SourceLock() {}

  /**
   * Restores every database QUIESCE_SOURCE saved.
   *
   * @return how many databases were opened again
   */
  static int reopen(PgConnector connector, PgEndpoint source, AttemptJournal journal)
      throws StepException {
    List<QuiescedDatabase> saved = JournalEntries.quiesced(journal);
    if (saved.isEmpty()) {
      return 0;
    }
    try (Connection connection = connector.connectMaintenance(source)) {
      int reopened = 0;
      for (QuiescedDatabase database : saved) {
        if (PgErrors.on(
            source,
            "opening database " + database.name() + " again",
            () -> reopen(connection, database))) {
          reopened++;
        }
      }
      return reopened;
    } catch (SQLException e) {
      throw PgErrors.translate(source, "closing the connection", e);
    }
  }

  private static boolean reopen(Connection connection, QuiescedDatabase database)
      throws SQLException {
    if (!Databases.exists(connection, database.name())) {
      return false;
    }
    String name = Sql.identifier(database.name());
    Jdbc.execute(
        connection, "ALTER DATABASE " + name + " CONNECTION LIMIT " + database.connectionLimit());
    for (DatabaseGrant grant : database.revokedConnect()) {
      Jdbc.execute(connection, grant.grantStatement(database.name()));
    }
    return true;
  }
}
