package io.pgshuttle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.MigrationRequest;
import io.pgshuttle.messages.Secret;
import io.pgshuttle.messages.SslMode;
import io.pgshuttle.messages.VerifyLevel;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SubmitCommandTest {
  private static final String PASSWORD = "t0p-s3cret-pw";
  private static final Map<String, String> ENV =
      Map.of("PGSHUTTLE_TARGET_PASSWORD", PASSWORD, "PGSHUTTLE_NAMESPACE", "ns-test");

  private final FakeBackends backends = new FakeBackends();

  @Test
  void publishesTheRequestAndPrintsItsMigrationId() {
    CliRun run =
        CliRun.run(
            ENV,
            backends,
            "submit",
            "--instance",
            "vm-1",
            "--target",
            "postgresql://admin@target.example:6432",
            "--database",
            "shop",
            "--database",
            "Ünïcode DB",
            "--jobs",
            "4",
            "--max-attempts",
            "5",
            "--keep-source-locked",
            "--verify",
            "counts",
            "--sslmode",
            "verify-full",
            "--request-id",
            "req-42");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(backends.published).hasSize(1);
    Envelope<MigrationRequest> envelope = backends.published.get(0);
    MigrationRequest request = envelope.payload();
    assertThat(request.requestId()).isEqualTo("req-42");
    assertThat(request.instanceId()).isEqualTo("vm-1");
    assertThat(request.databases()).containsExactly("shop", "Ünïcode DB");
    assertThat(request.target().host()).isEqualTo("target.example");
    assertThat(request.target().port()).isEqualTo(6432);
    assertThat(request.target().user()).isEqualTo("admin");
    assertThat(request.target().password()).isEqualTo(Secret.of(PASSWORD));
    assertThat(request.target().sslmode()).isEqualTo(SslMode.VERIFY_FULL);
    assertThat(request.options().jobs()).isEqualTo(4);
    assertThat(request.options().maxAttempts()).isEqualTo(5);
    assertThat(request.options().keepSourceLocked()).isTrue();
    assertThat(request.options().verify()).isEqualTo(VerifyLevel.COUNTS);
    assertThat(envelope.migrationId()).isEqualTo(MigrationId.forRequest("req-42"));
    assertThat(backends.publishSettings.get(0).namespace()).isEqualTo("ns-test");
    assertThat(run.out().strip()).isEqualTo(MigrationId.forRequest("req-42").toString());
    assertThat(run.all()).doesNotContain(PASSWORD);
  }

  @Test
  void defaultsTheRequestIdToAFreshUuidAndTheOptionsToTheirDefaults() {
    CliRun first = submit("--instance", "vm-1", "--target", "postgresql://admin@db");
    CliRun second = submit("--instance", "vm-1", "--target", "postgresql://admin@db");

    assertThat(first.exitCode()).isZero();
    assertThat(second.exitCode()).isZero();
    MigrationRequest request = backends.published.get(0).payload();
    assertThat(request.requestId()).matches("[0-9a-f-]{36}");
    assertThat(request.requestId()).isNotEqualTo(backends.published.get(1).payload().requestId());
    assertThat(request.target().port()).isEqualTo(5432);
    assertThat(request.databases()).isEmpty();
    assertThat(request.options().jobs()).isEqualTo(2);
    assertThat(request.options().verify()).isEqualTo(VerifyLevel.FULL);
  }

  @Test
  void printsIdsAsJson() {
    CliRun run =
        submit(
            "--instance",
            "vm-1",
            "--target",
            "postgresql://a@h:1",
            "--request-id",
            "r-1",
            "--json");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out().strip())
        .isEqualTo(
            "{\"migrationId\":\"" + MigrationId.forRequest("r-1") + "\",\"requestId\":\"r-1\"}");
  }

  @Test
  void refusesAPasswordInTheTargetUrlWithoutRepeatingIt() {
    CliRun run =
        submit("--instance", "vm-1", "--target", "postgresql://admin:hunter2@target.example:5432");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err())
        .contains("holds a password")
        .contains("PGSHUTTLE_TARGET_PASSWORD")
        .contains("--target-password-file")
        .contains("nothing was published");
    assertThat(run.all()).doesNotContain("hunter2");
    assertThat(backends.published).isEmpty();
  }

  @Test
  void refusesAPasswordOption() {
    CliRun run =
        submit(
            "--instance", "vm-1", "--target", "postgresql://a@h", "--target-password", "hunter2");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("--target-password is refused");
    assertThat(run.all()).doesNotContain("hunter2");
    assertThat(backends.published).isEmpty();
  }

  @Test
  void refusesATargetThatIsNotAPostgresqlUrl() {
    CliRun run = submit("--instance", "vm-1", "--target", "target.example:5432");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("postgresql://USER@HOST:PORT");
    assertThat(backends.published).isEmpty();
  }

  @Test
  void refusesAMissingInstanceWithUsage() {
    CliRun run = submit("--target", "postgresql://a@h");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("--instance");
    assertThat(backends.published).isEmpty();
  }

  @Test
  void printsEveryProblemOfTheRequest() {
    CliRun run =
        submit(
            "--instance",
            "bad.instance",
            "--target",
            "postgresql://a@h:5432",
            "--jobs",
            "0",
            "--max-attempts",
            "99",
            "--database",
            "shop",
            "--database",
            "shop");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err())
        .contains("instanceId 'bad.instance' is invalid")
        .contains("options.jobs must be 1 to 64, not 0")
        .contains("options.maxAttempts must be 1 to 20, not 99")
        .contains("database 'shop' is named twice");
    assertThat(run.err().lines().filter(line -> line.startsWith("pgshuttle submit: "))).hasSize(5);
    assertThat(backends.published).isEmpty();
  }

  @Test
  void refusesAnUnknownVerifyLevel() {
    CliRun run = submit("--instance", "vm-1", "--target", "postgresql://a@h", "--verify", "most");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("'most' is not one of counts, full");
    assertThat(backends.published).isEmpty();
  }

  @Test
  void refusesAnInvalidNamespace() {
    CliRun run =
        CliRun.run(
            Map.of("PGSHUTTLE_NAMESPACE", "no.dots"),
            backends,
            "submit",
            "--instance",
            "vm-1",
            "--target",
            "postgresql://a@h");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("PGSHUTTLE_NAMESPACE 'no.dots' is invalid");
    assertThat(backends.published).isEmpty();
  }

  @Test
  void reportsAnUnreachableBrokerWithExitCode3() {
    backends.publishFailure =
        CliException.unreachable("cannot connect to RabbitMQ: check PGSHUTTLE_AMQP_URI", null);

    CliRun run = submit("--instance", "vm-1", "--target", "postgresql://a@h");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.UNREACHABLE);
    assertThat(run.err())
        .contains("pgshuttle submit: cannot connect")
        .contains("PGSHUTTLE_AMQP_URI");
  }

  @Test
  void waitFollowsTheMigrationAndExitsZeroWhenItSucceeds() {
    backends.answerNotFound().answerStatus(StatusSamples.running(), StatusSamples.succeeded());

    CliRun run =
        submit("--instance", "vm-1", "--target", "postgresql://a@h", "--request-id", "r", "--wait");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err())
        .contains("[attempt 1] PREFLIGHT       succeeded in 1.5s: source 15, target 15")
        .contains("[attempt 1] DUMP            started")
        .contains("[#########-----------]  45%  1.2 GiB of 2.7 GiB  3/10 tables  public.orders")
        .contains("attempt 1 failed: target refused connections")
        .contains("attempt 2 of 3 started")
        .contains("migration SUCCEEDED");
    assertThat(run.out())
        .startsWith(MigrationId.forRequest("r") + "\n")
        .contains("State         SUCCEEDED  (attempt 2 of 3)")
        .contains("Verification  2 databases, 14 tables: row counts and checksums equal");
  }

  @Test
  void waitExitsOneWhenTheMigrationFails() {
    backends.answerStatus(StatusSamples.failed());

    CliRun run = submit("--instance", "vm-1", "--target", "postgresql://a@h", "--wait", "--json");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.MIGRATION_FAILED);
    assertThat(run.out().strip()).isEqualTo(StatusSamples.failed().strip());
    assertThat(run.err()).contains("migration FAILED: no agent for instance vm-1");
  }

  @Test
  void waitExitsOneWhenTheMigrationIsCancelled() {
    backends.answerStatus(StatusSamples.running(), StatusSamples.cancelled());

    CliRun run = submit("--instance", "vm-1", "--target", "postgresql://a@h", "--wait");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.MIGRATION_FAILED);
    assertThat(run.err()).contains("migration CANCELLED: cancelled on request: wrong target");
    assertThat(run.out()).contains("State         CANCELLED  (attempt 2 of 3)");
  }

  @Test
  void waitGivesUpWhenTheCoordinatorNeverRecordsTheMigration() {
    backends.answerNotFound();

    CliRun run = submit("--instance", "vm-1", "--target", "postgresql://a@h", "--wait");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.UNREACHABLE);
    assertThat(run.err())
        .contains("has not recorded migration")
        .contains("PGSHUTTLE_NAMESPACE=ns-test")
        .contains("ns-test.requests.dlq");
    assertThat(backends.published).hasSize(1);
  }

  private CliRun submit(String... arguments) {
    String[] all = new String[arguments.length + 1];
    all[0] = "submit";
    System.arraycopy(arguments, 0, all, 1, arguments.length);
    return CliRun.run(ENV, backends, all);
  }
}
