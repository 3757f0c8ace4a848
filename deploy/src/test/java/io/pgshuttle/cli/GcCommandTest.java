package io.pgshuttle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class GcCommandTest {
  private static final String SWEEP = "8d1f0c3e-5b2a-4f6e-9a7b-1c2d3e4f5a6b";
  private static final String FAILED = "2f1c6b5e-8d2a-3c4b-9e7f-0a1b2c3d4e5f";
  private static final String CANCELLED = "7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d";

  private final FakeBackends backends = new FakeBackends();

  @Test
  void sendsTheSweepAndSaysWhereItWentAndWhereTheReportsWillBe() {
    backends.sweepAnswer = sweep(false, sent("vm-1", FAILED, CANCELLED), sent("vm-2", FAILED));

    CliRun run = CliRun.run(Map.of(), backends, "gc");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(backends.sweeps).containsExactly("instance=null wait=null");
    assertThat(run.out())
        .isEqualTo(
            "sweep "
                + SWEEP
                + " (REQUEST, 2024-05-01 13:00:00Z)\n"
                + "vm-1  SENT  asked to sweep 2 ended migrations; its report has not come yet\n"
                + "vm-2  SENT  asked to sweep 1 ended migration; its report has not come yet\n"
                + "the agents' reports: GET "
                + FakeBackends.COORDINATOR_URL
                + "/v1/gc/"
                + SWEEP
                + ", or `pgshuttle gc --wait` next time\n");
  }

  @Test
  void waitPrintsWhatEachAgentRemovedAndExitsZeroWhenNothingIsLeft() {
    backends.sweepAnswer = sweep(false, sent("vm-1", FAILED));
    backends.answerSweepStatus(
        sweep(false, sent("vm-1", FAILED)),
        sweep(
            true,
            reported(
                "vm-1",
                FAILED,
                "["
                    + leftover("DISK", "vol-1", FAILED, null)
                    + ","
                    + leftover("ROLLBACK", "attempt 1", FAILED, "RESTORE: left staging database x")
                    + ","
                    + leftover("DATABASE", "pgshuttle_stage_2f1c6b5e8d2a_1", FAILED, null)
                    + "]",
                "[]",
                "[\"" + FAILED + "\"]")));

    CliRun run = CliRun.run(Map.of(), backends, "gc", "--instance", "vm-1", "--wait");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(backends.sweeps).containsExactly("instance=vm-1 wait=PT30S");
    assertThat(backends.sweepLookups).hasSize(2).allMatch(id -> id.toString().equals(SWEEP));
    assertThat(run.err()).contains("waiting for the agents' reports");
    assertThat(run.out())
        .isEqualTo(
            "sweep "
                + SWEEP
                + " (REQUEST, 2024-05-01 13:00:00Z)\n"
                + "vm-1  REPORTED  swept 1 ended migration: removed 3, not removed 0, 1 clean\n"
                + "  removed      disk vol-1 (migration "
                + FAILED
                + ")\n"
                + "  removed      rollback attempt 1 (migration "
                + FAILED
                + "): RESTORE: left staging database x\n"
                + "  removed      database pgshuttle_stage_2f1c6b5e8d2a_1 (migration "
                + FAILED
                + ")\n");
  }

  @Test
  void waitExitsOneWhenSomethingCouldNotBeRemovedOrAnInstanceHasNoAgent() {
    String refused =
        "target refused the password for user admin at db.example:5432: correct the password";
    backends.sweepAnswer =
        sweep(
            true,
            reported(
                "vm-1",
                FAILED,
                "[]",
                "[" + leftover("DATABASE", "pgshuttle_stage_2f1c6b5e8d2a_*", FAILED, refused) + "]",
                "[]"),
            "{\"instanceId\": \"vm-2\", \"state\": \"NO_AGENT\", \"migrations\": [\""
                + CANCELLED
                + "\"], \"error\": \"no agent for instance vm-2: no queue takes its control"
                + " messages\", \"reportedAt\": null, \"removed\": null, \"notRemoved\": null,"
                + " \"cleanMigrations\": null}");

    CliRun run = CliRun.run(Map.of(), backends, "gc", "--wait");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.MIGRATION_FAILED);
    assertThat(backends.sweepLookups).as("complete at once: nothing to wait for").isEmpty();
    assertThat(run.out())
        .contains(
            "  not removed  database pgshuttle_stage_2f1c6b5e8d2a_* (migration "
                + FAILED
                + "): "
                + refused
                + "\n")
        .contains(
            "vm-2  NO_AGENT  no agent for instance vm-2: no queue takes its control messages");
  }

  @Test
  void waitGivesUpAfterItsTimeoutAndSaysWhereToLookLater() {
    backends.sweepAnswer = sweep(false, sent("vm-1", FAILED));
    backends.answerSweepStatus(sweep(false, sent("vm-1", FAILED)));

    CliRun run = CliRun.run(Map.of(), backends, "gc", "--wait", "--json");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.MIGRATION_FAILED);
    assertThat(run.err())
        .contains("not every agent reported within")
        .contains("/v1/gc/" + SWEEP + " shows the reports later");
    assertThat(run.out()).isEqualTo(sweep(false, sent("vm-1", FAILED)) + "\n");
  }

  @Test
  void aSweepWithNothingToDoSaysSo() {
    backends.sweepAnswer = sweep(true);

    CliRun run = CliRun.run(Map.of(), backends, "gc", "--wait");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains(": no ended migration is waiting to be swept");
  }

  @Test
  void aBadInstanceIsExitCode2AndNothingIsAsked() {
    CliRun run = CliRun.run(Map.of(), backends, "gc", "--instance", "a.b");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("--instance 'a.b' is not an instance id");
    assertThat(backends.sweeps).isEmpty();
  }

  @Test
  void anUnreachableCoordinatorIsExitCode3() {
    backends.coordinatorFailure = CliException.unreachable("cannot reach the coordinator", null);

    CliRun run = CliRun.run(Map.of(), backends, "gc");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.UNREACHABLE);
    assertThat(run.err()).contains("pgshuttle gc: cannot reach the coordinator");
  }

  private static String sweep(boolean complete, String... instances) {
    return "{\"sweepId\": \""
        + SWEEP
        + "\", \"trigger\": \"REQUEST\", \"instanceId\": null,"
        + " \"requestedAt\": \"2024-05-01T13:00:00Z\", \"complete\": "
        + complete
        + ", \"instances\": ["
        + String.join(", ", instances)
        + "]}";
  }

  private static String sent(String instance, String... migrations) {
    return "{\"instanceId\": \""
        + instance
        + "\", \"state\": \"SENT\", \"migrations\": [\""
        + String.join("\", \"", migrations)
        + "\"], \"error\": null, \"reportedAt\": null, \"removed\": null, \"notRemoved\": null,"
        + " \"cleanMigrations\": null}";
  }

  private static String reported(
      String instance, String migration, String removed, String notRemoved, String clean) {
    return "{\"instanceId\": \""
        + instance
        + "\", \"state\": \"REPORTED\", \"migrations\": [\""
        + migration
        + "\"], \"error\": null, \"reportedAt\": \"2024-05-01T13:00:02Z\", \"removed\": "
        + removed
        + ", \"notRemoved\": "
        + notRemoved
        + ", \"cleanMigrations\": "
        + clean
        + "}";
  }

  private static String leftover(String kind, String name, String migration, String detail) {
    return "{\"kind\": \""
        + kind
        + "\", \"name\": \""
        + name
        + "\", \"migrationId\": \""
        + migration
        + "\", \"detail\": "
        + (detail == null ? "null" : "\"" + detail + "\"")
        + "}";
  }
}
