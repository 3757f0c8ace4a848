package io.pgshuttle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ListCommandTest {
  private final FakeBackends backends = new FakeBackends();

  @Test
  void listsMigrationsAsATable() {
    backends.listAnswer = "[" + StatusSamples.failed() + "," + StatusSamples.running() + "]";

    CliRun run = CliRun.run(Map.of(), backends, "list");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out().lines())
        .containsExactly(
            "MIGRATION                             INSTANCE  STATE    ATTEMPT  CREATED              "
                + " FINISHED              ERROR",
            StatusSamples.MIGRATION_ID
                + "  vm-1      FAILED   1        2024-05-01 12:00:00Z  2024-05-01 12:00:05Z  no"
                + " agent for instance vm-1",
            StatusSamples.MIGRATION_ID + "  vm-1      RUNNING  1        2024-05-01 12:00:00Z");
  }

  @Test
  void readsTheListWrappedInAnObject() {
    backends.listAnswer = "{\"migrations\": [" + StatusSamples.failed() + "]}";

    CliRun run = CliRun.run(Map.of(), backends, "list");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains(StatusSamples.MIGRATION_ID + "  vm-1      FAILED");
  }

  @Test
  void refusesAListItCannotRead() {
    backends.listAnswer = "{\"items\": []}";

    CliRun run = CliRun.run(Map.of(), backends, "list");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.UNREACHABLE);
    assertThat(run.err()).contains("expected {\"migrations\": [...]}");
  }

  @Test
  void saysSoWhenThereAreNone() {
    CliRun run = CliRun.run(Map.of(), backends, "list");

    assertThat(run.out()).isEqualTo("No migrations.\n");
  }

  @Test
  void passesTheFiltersToTheCoordinator() {
    CliRun run =
        CliRun.run(
            Map.of(),
            backends,
            "list",
            "--state",
            "failed",
            "--instance",
            "vm-7",
            "--limit",
            "10",
            "--json");

    assertThat(run.exitCode()).isZero();
    assertThat(backends.listQueries).containsExactly("state=FAILED instance=vm-7 limit=10");
    assertThat(run.out()).isEqualTo("[]\n");
  }

  @Test
  void refusesAnUnknownState() {
    CliRun run = CliRun.run(Map.of(), backends, "list", "--state", "DONE");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("--state 'DONE' is not one of");
    assertThat(backends.listQueries).isEmpty();
  }
}
