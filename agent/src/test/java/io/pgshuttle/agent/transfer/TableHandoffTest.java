package io.pgshuttle.agent.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgshuttle.agent.pipeline.Cancellation;
import io.pgshuttle.agent.pipeline.NonRetryableStepException;
import io.pgshuttle.agent.pipeline.RetryableStepException;
import io.pgshuttle.agent.pipeline.StepException;
import io.pgshuttle.agent.pipeline.TestCancellation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TableHandoffTest {
  private static final CopyTable TABLE = new CopyTable("s", "t", List.of("a"), 1);

  @Test
  void aWaitingLoaderTakesEachFileOnceAndEndsWhenTheDatabaseIsDumped() throws Exception {
    TableHandoff handoff = new TableHandoff();
    TestCancellation cancellation = new TestCancellation();
    CompletableFuture<List<Integer>> taken =
        CompletableFuture.supplyAsync(
            () -> {
              List<Integer> files = new ArrayList<>();
              try {
                handoff.awaitSchema(1, cancellation);
                Optional<DumpedFile> next;
                while ((next = handoff.next(1, cancellation)).isPresent()) {
                  files.add(next.get().part().file());
                }
              } catch (StepException e) {
                throw new IllegalStateException(e);
              }
              return files;
            });

    handoff.globalsReady(Path.of("globals.sql"));
    handoff.schemaReady(1, new TableHandoff.Schema(Path.of("schema.dump"), "UTF8", 1, List.of()));
    handoff.fileReady(1, file(1));
    handoff.fileReady(2, file(9));
    handoff.fileReady(1, file(2));
    handoff.databaseDumped(1);

    assertThat(taken.get(1, TimeUnit.MINUTES)).containsExactly(1, 2);
    assertThat(handoff.awaitGlobals(cancellation)).isEqualTo(Path.of("globals.sql"));
    assertThat(handoff.next(2, cancellation)).map(f -> f.part().file()).contains(9);
  }

  @Test
  void aWaiterStopsWhenDumpFailsOrTheAttemptIsCancelled() throws Exception {
    TableHandoff failing = new TableHandoff();
    CompletableFuture<Object> waiting = waitForSchema(failing, new TestCancellation());
    failing.failed("disk full");

    assertThat(waiting.handle((value, error) -> error).get(1, TimeUnit.MINUTES))
        .hasRootCauseInstanceOf(RetryableStepException.class)
        .hasRootCauseMessage("DUMP stopped: disk full");

    TestCancellation cancellation = new TestCancellation();
    CompletableFuture<Object> cancelled = waitForSchema(new TableHandoff(), cancellation);
    cancellation.cancel();

    assertThat(cancelled.handle((value, error) -> error).get(1, TimeUnit.MINUTES))
        .hasRootCauseInstanceOf(NonRetryableStepException.class);
  }

  @Test
  void aRestartedDumpForgetsWhatItHandedOverBefore() throws StepException {
    TableHandoff handoff = new TableHandoff();
    handoff.fileReady(1, file(1));
    handoff.databaseDumped(1);
    handoff.restart(1);
    handoff.fileReady(1, file(2));
    handoff.databaseDumped(1);

    TestCancellation cancellation = new TestCancellation();
    assertThat(handoff.next(1, cancellation)).map(f -> f.part().file()).contains(2);
    assertThat(handoff.next(1, cancellation)).isEmpty();
  }

  private static CompletableFuture<Object> waitForSchema(
      TableHandoff handoff, Cancellation cancellation) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return handoff.awaitSchema(1, cancellation);
          } catch (StepException e) {
            throw new IllegalStateException(e);
          }
        });
  }

  private static DumpedFile file(int number) {
    return new DumpedFile(
        new CopyPart(TABLE, number, 1, 1, null, null),
        Path.of("data/" + number + ".copy"),
        Checksum.EMPTY);
  }
}
