package io.pgshuttle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input to {@code pgshuttle broker} is refused before the management API is called (its URL
 * here reaches nothing, so a call would end with exit code 3 instead of 2).
 */
class BrokerCommandTest {
  static final Map<String, String> ADMIN =
      Map.of("PGSHUTTLE_BROKER_ADMIN_USER", "admin", "PGSHUTTLE_BROKER_ADMIN_PASSWORD", "admin-pw");
  static final String NOWHERE = "http://127.0.0.1:1";

  @TempDir Path work;

  @Test
  void aNewUserNeedsExactlyOneWayToLogIn() throws Exception {
    Path file = Files.writeString(work.resolve("pw"), "agent-secret\n");

    CliRun neither = run(ADMIN, "add-agent", "--instance", "vm-1");
    CliRun both =
        run(
            ADMIN,
            "add-agent",
            "--instance",
            "vm-1",
            "--password-file",
            file.toString(),
            "--certificate-login");

    for (CliRun run : new CliRun[] {neither, both}) {
      assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
      assertThat(run.err()).contains("give either --password-file FILE or --certificate-login");
    }
  }

  @Test
  void anInvalidInstanceOrAnUnusablePasswordFileIsNamed() throws Exception {
    Path empty = Files.writeString(work.resolve("empty"), "");

    CliRun badInstance = run(ADMIN, "add-agent", "--instance", "vm.1", "--certificate-login");
    CliRun missing =
        run(ADMIN, "add-coordinator", "--password-file", work.resolve("none").toString());
    CliRun emptyFile = run(ADMIN, "add-control-plane", "--password-file", empty.toString());

    assertThat(badInstance.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(badInstance.err()).contains("--instance 'vm.1' is invalid");
    assertThat(missing.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(missing.err())
        .contains("--password-file " + work.resolve("none") + " does not exist");
    assertThat(emptyFile.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(emptyFile.err()).contains("is empty");
  }

  @Test
  void theAdministratorMustBeNamedInTheEnvironment() {
    CliRun run = run(Map.of(), "setup");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err())
        .contains("PGSHUTTLE_BROKER_ADMIN_USER and PGSHUTTLE_BROKER_ADMIN_PASSWORD must be set");
  }

  private static CliRun run(Map<String, String> environment, String... arguments) {
    String[] all = new String[arguments.length + 3];
    all[0] = "broker";
    System.arraycopy(arguments, 0, all, 1, arguments.length);
    all[all.length - 2] = "--management-url";
    all[all.length - 1] = NOWHERE;
    return CliRun.run(environment, new FakeBackends(), all);
  }
}
