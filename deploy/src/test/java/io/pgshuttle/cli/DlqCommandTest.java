package io.pgshuttle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DlqCommandTest {
  private static final String ID = "3b2f1e0d-9c8b-4a7f-8e6d-5c4b3a291807";
  private static final String OTHER = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d";
  private static final String LETTER =
      "{\"id\":\""
          + ID
          + "\",\"reason\":\"instance_busy\",\"detail\":\"instance vm-1 already has a live"
          + " migration\",\"firstFailedAt\":\"2024-05-01T12:00:00Z\",\"deliveryCount\":2,"
          + "\"replays\":1,\"requestId\":\"req-1\",\"instanceId\":\"vm-1\","
          + "\"request\":{\"type\":\"MigrationRequest\",\"body\":{\"requestId\":\"req-1\"}},"
          + "\"body\":null}";

  private final FakeBackends backends = new FakeBackends();

  @Test
  void listShowsATablePassesTheFiltersAndNamesTheNextPage() {
    backends.deadLettersAnswer = "{\"deadLetters\": [" + LETTER + "], \"next\": \"17\"}";

    CliRun run =
        CliRun.run(
            Map.of(),
            backends,
            "dlq",
            "list",
            "--reason",
            "instance_busy",
            "--instance",
            "vm-1",
            "--limit",
            "1",
            "--after",
            "40");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(backends.deadLetterCalls)
        .containsExactly("list reason=instance_busy instance=vm-1 limit=1 after=40");
    assertThat(run.out().lines())
        .containsExactly(
            "ID                                    REASON         INSTANCE  REQUEST  FIRST FAILED  "
                + "        DELIVERIES  REPLAYS  DETAIL",
            ID
                + "  instance_busy  vm-1      req-1    2024-05-01 12:00:00Z  2           1       "
                + " instance vm-1 already has a live migration",
            "more: --after 17");
  }

  @Test
  void listSaysSoWhenThereAreNoneAndJsonPrintsTheAnswerAsItIs() {
    assertThat(CliRun.run(Map.of(), backends, "dlq", "list").out()).isEqualTo("No dead letters.\n");
    assertThat(CliRun.run(Map.of(), backends, "dlq", "list", "--json").out())
        .isEqualTo(backends.deadLettersAnswer + "\n");
  }

  @Test
  void showPrintsTheFieldsAndTheRequest() {
    backends.deadLetterAnswer = Optional.of(LETTER);

    CliRun run = CliRun.run(Map.of(), backends, "dlq", "show", ID);

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("reason         instance_busy\n")
        .contains("replays        1\n")
        .contains("request        {")
        .contains("\"requestId\" : \"req-1\"");
  }

  @Test
  void anUnknownOrMalformedIdIsExitCode2() {
    CliRun unknown = CliRun.run(Map.of(), backends, "dlq", "drop", ID);
    CliRun malformed = CliRun.run(Map.of(), backends, "dlq", "show", "nope");

    assertThat(unknown.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(unknown.err()).contains("knows no dead letter " + ID);
    assertThat(malformed.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(malformed.err()).contains("'nope' is not a dead-letter id");
    assertThat(backends.deadLetterCalls).containsExactly("drop " + ID);
  }

  @Test
  void replaySendsThePasswordFromTheFileAndExitsZeroWhenReplayed(@TempDir Path dir)
      throws Exception {
    Path file = Files.writeString(dir.resolve("pw"), "file-pw\n");
    backends.deadLetterAnswer =
        Optional.of(
            "{\"id\":\""
                + ID
                + "\",\"outcome\":\"REPLAYED\",\"message\":\"request 'req-1' was published\","
                + "\"migrationId\":null}");

    CliRun run =
        CliRun.run(
            Map.of("PGSHUTTLE_TARGET_PASSWORD", "env-pw"),
            backends,
            "dlq",
            "replay",
            ID,
            "--target-password-file",
            file.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(backends.deadLetterCalls).containsExactly("replay " + ID + " password=file-pw");
    assertThat(run.out()).isEqualTo(ID + "  REPLAYED  request 'req-1' was published\n");
    assertThat(run.all()).doesNotContain("file-pw");
  }

  @Test
  void bulkReplayTakesTheFiltersAndExitsOneWhenOneIsInvalid() {
    backends.bulkReplayAnswer =
        "{\"results\":[{\"id\":\""
            + ID
            + "\",\"outcome\":\"ALREADY_ACCEPTED\",\"message\":\"nothing was published\","
            + "\"migrationId\":null},{\"id\":\""
            + OTHER
            + "\",\"outcome\":\"INVALID\",\"message\":\"fix it\",\"migrationId\":null}]}";

    CliRun run =
        CliRun.run(
            Map.of("PGSHUTTLE_TARGET_PASSWORD", "env-pw"),
            backends,
            "dlq",
            "replay",
            "--all",
            "--reason",
            "invalid",
            "--instance",
            "vm-2");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.MIGRATION_FAILED);
    assertThat(backends.deadLetterCalls)
        .containsExactly("replay-all reason=invalid instance=vm-2 password=env-pw");
    assertThat(run.out().lines())
        .containsExactly(
            ID + "  ALREADY_ACCEPTED  nothing was published", OTHER + "  INVALID  fix it");
  }

  @Test
  void replayRefusesAPasswordOnTheCommandLineAndAmbiguousTargets() {
    CliRun onCommandLine =
        CliRun.run(Map.of(), backends, "dlq", "replay", ID, "--target-password", "visible-pw");
    CliRun neither = CliRun.run(Map.of(), backends, "dlq", "replay");
    CliRun both = CliRun.run(Map.of(), backends, "dlq", "replay", ID, "--all");
    CliRun filterWithoutAll =
        CliRun.run(Map.of(), backends, "dlq", "replay", ID, "--reason", "invalid");

    assertThat(onCommandLine.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(onCommandLine.err()).contains("--target-password is refused");
    assertThat(neither.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(neither.err()).contains("or replay every one the filters select with --all");
    assertThat(both.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(filterWithoutAll.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(filterWithoutAll.err()).contains("for --all only");
    assertThat(backends.deadLetterCalls).isEmpty();
  }

  @Test
  void helpDescribesTheSubcommands() {
    CliRun run = CliRun.run(Map.of(), backends, "dlq", "--help");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .contains("list", "show", "replay", "drop")
        .contains("ALREADY_ACCEPTED")
        .contains("PGSHUTTLE_TARGET_PASSWORD");
  }
}
