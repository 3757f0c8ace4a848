package io.pgshuttle.agent.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgshuttle.agent.pipeline.StepException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ToolResultTest {
  private static ToolResult failed(String... stderr) {
    return new ToolResult("pg_restore", 1, List.of(stderr), "", false);
  }

  @Test
  void failureMessagesPickTheErrorLinesOutOfVerboseOutput() {
    ToolResult result =
        failed(
            "pg_restore: connecting to database for restore",
            "pg_restore: processing data for table \"public.t\"",
            "pg_restore: error: could not execute query: ERROR:  relation \"t\" already exists",
            "Command was: CREATE TABLE t (a int);");

    assertThat(result.describeFailure())
        .isEqualTo(
            "pg_restore exited 1: pg_restore: error: could not execute query: ERROR:  relation"
                + " \"t\" already exists");
    assertThat(failed().describeFailure()).isEqualTo("pg_restore exited 1 without a message");
  }

  @Test
  void lostConnectionsAreRetryableAndThingsToFixAreNot() {
    StepException lost =
        failed(
                "pg_restore: error: connection to server at \"10.0.0.9\", port 5432 failed:"
                    + " Connection refused")
            .failure("pg_restore into x");
    StepException full =
        failed("pg_dump: error: could not write to file: No space left on device")
            .failure("pg_dump of \"shop\"");

    assertThat(lost.retryable()).isTrue();
    assertThat(lost.getMessage()).startsWith("pg_restore into x failed: pg_restore exited 1: ");
    assertThat(full.retryable()).isFalse();
  }

  @Test
  void aFullLockTableIsNotRetryableAndItsHintIsKept() {
    StepException full =
        new ToolResult(
                "pg_dump",
                1,
                List.of(
                    "pg_dump: error: query failed: ERROR:  out of shared memory",
                    "HINT:  You might need to increase max_locks_per_transaction.",
                    "pg_dump: detail: Query was: LOCK TABLE public.t_700 IN ACCESS SHARE MODE"),
                "",
                false)
            .failure("pg_dump of the schema of \"shop\"");

    assertThat(full.retryable()).isFalse();
    assertThat(full.getMessage())
        .isEqualTo(
            "pg_dump of the schema of \"shop\" failed: pg_dump exited 1: pg_dump: error: query"
                + " failed: ERROR:  out of shared memory / HINT:  You might need to increase"
                + " max_locks_per_transaction. / pg_dump: detail: Query was: LOCK TABLE"
                + " public.t_700 IN ACCESS SHARE MODE");
  }

  @Test
  void succeededOnlyWithExitZeroAndNoCancel() {
    assertThat(new ToolResult("psql", 0, List.of(), "", false).succeeded()).isTrue();
    assertThat(new ToolResult("psql", 0, List.of(), "", true).succeeded()).isFalse();
    assertThat(failed("x").succeeded()).isFalse();
  }
}
