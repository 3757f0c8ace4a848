package io.pgshuttle.agent.postgres;

import io.pgshuttle.agent.pipeline.NonRetryableStepException;
import io.pgshuttle.agent.pipeline.RetryableStepException;
import io.pgshuttle.agent.pipeline.StepException;
import java.sql.SQLException;

/**
 * Translates PostgreSQL errors into step failures, retryable or not by SQLSTATE class: an
 * unreachable server, a restart or a conflict may pass; a refused password, a missing database or a
 * statement the server rejects will not until a person acts. Stateless.
 */
public final class PgErrors {
  /** SQLSTATE out_of_memory, which a full lock table raises too. */
  private static final String OUT_OF_MEMORY = "53200";

  /** What sizes the lock table; its hint names it when the table is full. */
  private static final String LOCK_TABLE_SETTING = "max_locks_per_transaction";

  private PgErrors() {}

  /** Work on one server that may fail with an SQLException. */
  @FunctionalInterface
  public interface SqlWork<T> {
    T run() throws SQLException, StepException;
  }

  /** Runs {@code work}, translating its SQLException as {@link #translate} does. */
  public static <T> T on(PgEndpoint server, String action, SqlWork<T> work) throws StepException {
    try {
      return work.run();
    } catch (SQLException e) {
      throw translate(server, action, e);
    }
  }

  /**
   * The step failure for {@code error}, met while doing {@code action} (such as {@code "creating
   * database x"}) on {@code server}.
   */
  public static StepException translate(PgEndpoint server, String action, SQLException error) {
    String state = error.getSQLState() == null ? "" : error.getSQLState();
    String hint = hint(error.getMessage());
    String detail = firstLine(error.getMessage()) + (hint == null ? "" : " (" + hint + ")");
    if (state.equals("28P01")) {
      return new NonRetryableStepException(
          server.role()
              + " refused the password for user "
              + server.user()
              + " at "
              + server.address()
              + ": correct the password",
          error);
    }
    if (state.startsWith("28") || isMissingPassword(error)) {
      return new NonRetryableStepException(
          server.role()
              + " refused user "
              + server.user()
              + " at "
              + server.address()
              + ": "
              + detail,
          error);
    }
    if (isTlsFailure(error)) {
      return new NonRetryableStepException(
          "TLS with the "
              + server.role()
              + " at "
              + server.address()
              + " failed ("
              + detail
              + "): with sslmode "
              + server.sslmode().libpqName()
              + (PgEndpoint.TARGET.equals(server.role())
                  ? ", set PGSHUTTLE_TARGET_SSLROOTCERT (agent.targetSslRootCert) to the CA of its"
                      + " certificate and name it by a host name the certificate holds"
                  : ", check the sslmode of PGSHUTTLE_SOURCE_URL and the server's certificate"),
          error);
    }
    if (state.equals(OUT_OF_MEMORY) && hint != null && hint.contains(LOCK_TABLE_SETTING)) {
      // Another attempt locks as many tables again: only the setting helps.
      return new NonRetryableStepException(
          action
              + " on the "
              + server.role()
              + " at "
              + server.address()
              + " filled its lock table ("
              + detail
              + "): raise "
              + LOCK_TABLE_SETTING
              + " there and restart it; a dump locks every table of a database at once",
          error);
    }
    if (state.startsWith("08") || state.startsWith("57P") || state.startsWith("53")) {
      return new RetryableStepException(
          "cannot reach the " + server.role() + " at " + server.address() + ": " + detail, error);
    }
    if (state.startsWith("40") || state.equals("55006") || state.equals("55P03")) {
      return new RetryableStepException(
          action + " on the " + server.role() + " met a conflict: " + detail, error);
    }
    return new NonRetryableStepException(
        action + " failed on the " + server.role() + " at " + server.address() + ": " + detail,
        error);
  }

  /** A certificate that is not trusted or does not name the host: no retry changes that. */
  private static boolean isTlsFailure(SQLException error) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof javax.net.ssl.SSLException) {
        return true;
      }
    }
    String message = error.getMessage() == null ? "" : error.getMessage();
    return message.contains("SSL root certificate")
        || (message.contains("hostname") && message.contains("could not be verified"));
  }

  private static boolean isMissingPassword(SQLException error) {
    String message = error.getMessage();
    return message != null && message.contains("no password was provided");
  }

  /** The server's hint, which pgjdbc puts on a line of its own in the message; or null. */
  private static String hint(String message) {
    if (message == null) {
      return null;
    }
    return message
        .lines()
        .map(String::strip)
        .filter(line -> line.startsWith("Hint: "))
        .map(line -> line.substring("Hint: ".length()))
        .findFirst()
        .orElse(null);
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "no detail";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
