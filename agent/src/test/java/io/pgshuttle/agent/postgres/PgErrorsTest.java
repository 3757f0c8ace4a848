package io.pgshuttle.agent.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgshuttle.agent.pipeline.StepException;
import io.pgshuttle.messages.SslMode;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class PgErrorsTest {
  private static final PgEndpoint TARGET =
      new PgEndpoint("target", "db.example", 5433, "admin", null, SslMode.PREFER);

  private static StepException translate(String message, String sqlState) {
    return PgErrors.translate(TARGET, "creating database x", new SQLException(message, sqlState));
  }

  @Test
  void refusedPasswordsAndLoginsAreNotRetryable() {
    StepException password = translate("FATAL: password authentication failed", "28P01");
    assertThat(password.retryable()).isFalse();
    assertThat(password.getMessage())
        .isEqualTo(
            "target refused the password for user admin at db.example:5433: correct the password");
    assertThat(translate("no pg_hba.conf entry", "28000").retryable()).isFalse();
    assertThat(
            translate(
                    "The server requested SCRAM-based authentication, but no password was provided.",
                    "08004")
                .retryable())
        .isFalse();
  }

  @Test
  void unreachableServersAndConflictsAreRetryable() {
    StepException refused = translate("Connection to db.example:5433 refused.", "08001");
    assertThat(refused.retryable()).isTrue();
    assertThat(refused.getMessage()).contains("db.example:5433");
    assertThat(
            translate("terminating connection due to administrator command", "57P01").retryable())
        .isTrue();
    assertThat(translate("deadlock detected", "40P01").retryable()).isTrue();
    assertThat(translate("database is being accessed by other users", "55006").retryable())
        .isTrue();
  }

  @Test
  void aFullLockTableIsNotRetryableAndNamesTheSetting() {
    StepException full =
        translate(
            "ERROR: out of shared memory\n  Hint: You might need to increase"
                + " max_locks_per_transaction.",
            "53200");

    assertThat(full.retryable()).isFalse();
    assertThat(full.getMessage())
        .isEqualTo(
            "creating database x on the target at db.example:5433 filled its lock table (ERROR:"
                + " out of shared memory (You might need to increase max_locks_per_transaction.)):"
                + " raise max_locks_per_transaction there and restart it; a dump locks every table"
                + " of a database at once");
    // Too many connections may pass.
    assertThat(translate("FATAL: sorry, too many clients already", "53300").retryable()).isTrue();
  }

  @Test
  void statementsTheServerRejectsAreNotRetryable() {
    StepException rejected =
        translate("ERROR: unrecognized configuration parameter \"x\"\n  Where: line 1", "42704");
    assertThat(rejected.retryable()).isFalse();
    assertThat(rejected.getMessage())
        .isEqualTo(
            "creating database x failed on the target at db.example:5433: ERROR: unrecognized"
                + " configuration parameter \"x\"");
  }
}
