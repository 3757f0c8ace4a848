package io.pgshuttle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class AuditCommandTest {
  private static final String ENTRIES =
      "{\"entries\": [{\"id\": 2, \"at\": \"2024-05-01T12:00:05.123Z\", \"who\": \"http\","
          + " \"action\": \"CANCEL_REQUESTED\", \"migrationId\": \""
          + StatusSamples.MIGRATION_ID
          + "\", \"instanceId\": null, \"detail\": {\"reason\": \"wrong target\","
          + " \"outcome\": \"ACCEPTED\"}},"
          + " {\"id\": 1, \"at\": \"2024-05-01T12:00:00Z\", \"who\": \"coordinator\","
          + " \"action\": \"GC_REQUESTED\", \"migrationId\": null, \"instanceId\": \"vm-1\","
          + " \"detail\": {\"trigger\": \"PERIODIC\"}}]}";

  private final FakeBackends backends = new FakeBackends();

  @Test
  void listsEntriesAsATable() {
    backends.auditAnswer = ENTRIES;

    CliRun run = CliRun.run(Map.of(), backends, "audit");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out().lines())
        .containsExactly(
            "AT                    WHO          ACTION            MIGRATION                     "
                + "        INSTANCE  DETAIL",
            "2024-05-01 12:00:05Z  http         CANCEL_REQUESTED  "
                + StatusSamples.MIGRATION_ID
                + "            {\"reason\":\"wrong target\",\"outcome\":\"ACCEPTED\"}",
            "2024-05-01 12:00:00Z  coordinator  GC_REQUESTED      "
                + " ".repeat(38)
                + "vm-1      {\"trigger\":\"PERIODIC\"}");
    assertThat(backends.auditQueries).containsExactly("migration=null action=null since=null");
  }

  @Test
  void passesTheFiltersToTheCoordinatorAndPrintsItsJson() {
    backends.auditAnswer = ENTRIES;

    CliRun run =
        CliRun.run(
            Map.of(),
            backends,
            "audit",
            "--migration",
            StatusSamples.MIGRATION_ID,
            "--action",
            "cancel_requested",
            "--since",
            "2024-05-01T00:00:00Z",
            "--json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(backends.auditQueries)
        .containsExactly(
            "migration="
                + StatusSamples.MIGRATION_ID
                + " action=CANCEL_REQUESTED since=2024-05-01T00:00:00Z");
    assertThat(run.out()).isEqualTo(ENTRIES + "\n");
  }

  @Test
  void saysSoWhenThereAreNone() {
    CliRun run = CliRun.run(Map.of(), backends, "audit");

    assertThat(run.out()).isEqualTo("No audit entries.\n");
  }

  @Test
  void refusesABadMigrationIdOrInstantBeforeAskingTheCoordinator() {
    CliRun badId = CliRun.run(Map.of(), backends, "audit", "--migration", "nope");
    CliRun badSince = CliRun.run(Map.of(), backends, "audit", "--since", "yesterday");

    assertThat(badId.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(badId.err()).contains("'nope' is not a migration id");
    assertThat(badSince.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(badSince.err())
        .contains("--since 'yesterday' is not an ISO-8601 instant such as 2024-05-01T12:00:00Z");
    assertThat(backends.auditQueries).isEmpty();
  }

  @Test
  void refusesAnAnswerItCannotRead() {
    backends.auditAnswer = "{\"items\": []}";

    CliRun run = CliRun.run(Map.of(), backends, "audit");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.UNREACHABLE);
    assertThat(run.err()).contains("answered no {\"entries\": [...]}");
  }
}
