package io.pgshuttle.agent.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.MigrationOptions;
import io.pgshuttle.messages.Secret;
import io.pgshuttle.messages.StartMigration;
import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.TargetServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Journals and fencing records on disk: what is written is read back, never the password. */
class FileAttemptJournalIT {
  private static final String PASSWORD = "very-secret-password";

  @TempDir Path stateDir;

  record Sample(String name, List<Integer> numbers) {}

  private static Envelope<StartMigration> command(
      MigrationId migrationId, int attempt, long token) {
    return Envelope.of(
        "vm-1",
        migrationId,
        attempt,
        0,
        new StartMigration(
            "vm-1",
            List.of("db"),
            new TargetServer("db.example", 5432, "admin", Secret.of(PASSWORD), null),
            MigrationOptions.defaults(),
            token));
  }

  /**
   * DUMP and RESTORE write the journal at once from their own threads: every entry of both is on
   * disk when they are done, and both steps are recorded as started and finished.
   */
  @Test
  void twoStepsWritingAtOnceLoseNothing() throws Exception {
    AttemptJournalStore store = new AttemptJournalStore(stateDir);
    MigrationId migrationId = MigrationId.forRequest("journal-overlap");
    FileAttemptJournal journal = store.create(command(migrationId, 1, 1));
    List<String> read = new CopyOnWriteArrayList<>();
    StepThreads.runAtOnce(
        List.of(Step.DUMP, Step.RESTORE),
        step -> {
          journal.stepStarted(step);
          for (int table = 0; table < 40; table++) {
            journal.put(step + ".table." + table, "done");
            read.add(journal.get(step + ".table." + table, String.class).orElse("none"));
          }
          journal.stepFinished(step);
        });

    assertThat(read).as("each step reads what it wrote").hasSize(80).containsOnly("done");
    FileAttemptJournal reread = store.find(migrationId, 1).orElseThrow();
    assertThat(reread.stepsStarted()).containsExactlyInAnyOrder(Step.DUMP, Step.RESTORE);
    assertThat(reread.stepsFinished()).containsExactlyInAnyOrder(Step.DUMP, Step.RESTORE);
    for (Step step : List.of(Step.DUMP, Step.RESTORE)) {
      for (int table = 0; table < 40; table++) {
        assertThat(reread.get(step + ".table." + table, String.class)).contains("done");
      }
    }
  }

  @Test
  void entriesStatusAndStepsSurviveReopeningAndThePasswordIsNeverWritten() throws Exception {
    AttemptJournalStore store = new AttemptJournalStore(stateDir);
    MigrationId migrationId = MigrationId.forRequest("journal-test");
    Envelope<StartMigration> command = command(migrationId, 1, 7);
    FileAttemptJournal journal = store.create(command);

    journal.put("a.record", new Sample("x", List.of(1, 2)));
    journal.put("a.text", "hello");
    journal.put("a.gone", "bye");
    journal.remove("a.gone");
    journal.stepStarted(Step.PREFLIGHT);
    journal.stepFinished(Step.PREFLIGHT);
    journal.recordFailure(
        new AttemptFailure(
            Step.PREFLIGHT, "why", true, List.of("left x"), List.of(Step.PREFLIGHT)));
    journal.finish(AttemptStatus.FAILED);

    FileAttemptJournal reopened = store.find(migrationId, 1).orElseThrow();
    assertThat(reopened.get("a.record", Sample.class)).contains(new Sample("x", List.of(1, 2)));
    assertThat(reopened.get("a.text", String.class)).contains("hello");
    assertThat(reopened.get("a.gone", String.class)).isEmpty();
    assertThat(reopened.stepsStarted()).containsExactly(Step.PREFLIGHT);
    assertThat(reopened.stepsFinished()).containsExactly(Step.PREFLIGHT);
    assertThat(reopened.status()).isEqualTo(AttemptStatus.FAILED);
    assertThat(reopened.failure())
        .contains(
            new AttemptFailure(
                Step.PREFLIGHT, "why", true, List.of("left x"), List.of(Step.PREFLIGHT)));
    assertThat(reopened.reported()).isFalse();
    Envelope<StartMigration> stored = reopened.command();
    assertThat(stored.messageId()).isEqualTo(command.messageId());
    assertThat(stored.payload().fencingToken()).isEqualTo(7);
    assertThat(stored.payload().target().password()).isNull();

    try (Stream<Path> files = Files.walk(stateDir)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        assertThat(Files.readString(file)).doesNotContain(PASSWORD);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
            .isEqualTo("rw-------");
        assertThat(file.getFileName().toString()).doesNotEndWith(".tmp");
      }
    }
    assertThat(store.all()).hasSize(1);
    assertThatThrownBy(() -> store.create(command)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void earlierAttemptsAreThoseOfTheSameMigrationBeforeTheGivenOne() {
    AttemptJournalStore store = new AttemptJournalStore(stateDir);
    MigrationId migrationId = MigrationId.forRequest("earlier");
    store.create(command(migrationId, 1, 1)).put("k", "one");
    store.create(command(migrationId, 2, 2)).put("k", "two");
    store.create(command(migrationId, 3, 3)).put("k", "three");
    store.create(command(MigrationId.forRequest("other"), 1, 1)).put("k", "other");

    assertThat(store.earlierAttempts(migrationId, 3))
        .map(journal -> journal.get("k", String.class).orElseThrow())
        .containsExactly("one", "two");
    assertThat(store.all()).hasSize(4);
  }

  @Test
  void fencingRefusesOlderDispatchesAcrossRestarts() {
    MigrationId migrationId = MigrationId.forRequest("fencing");
    new FencingLedger(stateDir).record(command(migrationId, 2, 5));

    FencingLedger afterRestart = new FencingLedger(stateDir);
    assertThat(afterRestart.isStale(command(migrationId, 2, 5))).isFalse();
    assertThat(afterRestart.isStale(command(migrationId, 3, 5))).isFalse();
    assertThat(afterRestart.isStale(command(migrationId, 1, 5))).isTrue();
    assertThat(afterRestart.isStale(command(migrationId, 3, 4))).isTrue();
    assertThat(afterRestart.isStale(command(migrationId, 1, 6))).isFalse();
    assertThat(afterRestart.isStale(command(MigrationId.forRequest("new"), 1, 1))).isFalse();

    afterRestart.record(command(migrationId, 1, 4));
    assertThat(afterRestart.isStale(command(migrationId, 2, 4))).isTrue();
  }
}
