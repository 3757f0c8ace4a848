package io.pgshuttle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PgShuttleTest {
  private final FakeBackends backends = new FakeBackends();

  @ParameterizedTest
  @ValueSource(
      strings = {
        "coordinator",
        "agent",
        "submit",
        "status",
        "list",
        "watch",
        "cancel",
        "gc",
        "audit"
      })
  void everyCommandHasHelp(String command) {
    CliRun run = CliRun.run(Map.of(), backends, command, "--help");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).startsWith("Usage: pgshuttle " + command);
    assertThat(backends.published).isEmpty();
    assertThat(backends.coordinatorsRun).isEmpty();
    assertThat(backends.agentsRun).isEmpty();
  }

  @Test
  void topLevelHelpListsTheCommandsAndExitCodes() {
    CliRun run = CliRun.run(Map.of(), backends, "--help");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .contains(
            "coordinator", "agent", "submit", "status", "list", "watch", "cancel", "gc", "audit")
        .contains("Exit codes:")
        .contains("3   the broker or the coordinator cannot be reached");
  }

  @Test
  void noCommandIsAUsageError() {
    CliRun run = CliRun.run(Map.of(), backends);

    assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("name a command").contains("Usage: pgshuttle");
  }

  @Test
  void anUnknownCommandIsAUsageError() {
    CliRun run = CliRun.run(Map.of(), backends, "migrate");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("Unmatched argument");
  }

  @Test
  void printsAVersion() {
    CliRun run = CliRun.run(Map.of(), backends, "--version");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).startsWith("pgshuttle ");
  }
}
