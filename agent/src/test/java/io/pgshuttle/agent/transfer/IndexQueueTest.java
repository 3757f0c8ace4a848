package io.pgshuttle.agent.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgshuttle.agent.pipeline.StepException;
import io.pgshuttle.agent.pipeline.TestCancellation;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** Which build an index worker gets, and when it waits or ends. */
class IndexQueueTest {
  private static final IndexPlan.Build A_INDEX = build(1, "a", false);
  private static final IndexPlan.Build A_INDEX_2 = build(2, "a", false);
  private static final IndexPlan.Build A_KEY = build(3, "a", true);
  private static final IndexPlan.Build B_KEY = build(4, "b", true);

  @Test
  void plainIndexesOfOneTableBuildTogetherAConstraintAlone() throws Exception {
    IndexQueue queue = new IndexQueue(1);
    TestCancellation cancellation = new TestCancellation();
    queue.add(List.of(A_INDEX, A_INDEX_2, A_KEY));
    queue.add(List.of(B_KEY));

    assertThat(queue.take(cancellation)).contains(A_INDEX);
    assertThat(queue.take(cancellation)).contains(A_INDEX_2);
    // a's constraint waits for a's indexes: b's goes first.
    assertThat(queue.take(cancellation)).contains(B_KEY);
    CompletableFuture<Optional<IndexPlan.Build>> waiting = take(queue, cancellation);
    queue.done(A_INDEX);
    assertStillWaiting(waiting);
    queue.done(A_INDEX_2);
    assertThat(waiting.get(10, TimeUnit.SECONDS)).contains(A_KEY);
  }

  @Test
  void aConstraintBuiltIndexFirstSharesItsTable() throws Exception {
    IndexPlan.Build keyFirst =
        new IndexPlan.Build(
            5,
            "5; 0 0 X",
            new TableIndex(
                1,
                5,
                "a",
                "a_pkey",
                true,
                new TableIndex.IndexFirst("CREATE UNIQUE INDEX …", "ALTER TABLE …")));
    IndexQueue queue = new IndexQueue(1);
    TestCancellation cancellation = new TestCancellation();
    queue.add(List.of(A_INDEX, keyFirst, A_INDEX_2));

    assertThat(queue.take(cancellation)).contains(A_INDEX);
    assertThat(queue.take(cancellation)).contains(keyFirst);
    assertThat(queue.take(cancellation)).contains(A_INDEX_2);
  }

  @Test
  void endsOnceTheLoadersAreDoneAndNothingIsLeft() throws Exception {
    IndexQueue queue = new IndexQueue(2);
    TestCancellation cancellation = new TestCancellation();
    CompletableFuture<Optional<IndexPlan.Build>> waiting = take(queue, cancellation);
    queue.loaderDone();
    assertStillWaiting(waiting);
    assertThat(queue.allLoaded()).isZero();
    queue.loaderDone();

    assertThat(waiting.get(10, TimeUnit.SECONDS)).isEmpty();
    assertThat(queue.allLoaded()).isNotZero();
  }

  @Test
  void aCancelEndsTheWait() throws Exception {
    IndexQueue queue = new IndexQueue(1);
    TestCancellation cancellation = new TestCancellation();
    CompletableFuture<Optional<IndexPlan.Build>> waiting = take(queue, cancellation);

    cancellation.cancel();

    assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasRootCauseInstanceOf(StepException.class);
  }

  private static CompletableFuture<Optional<IndexPlan.Build>> take(
      IndexQueue queue, TestCancellation cancellation) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return queue.take(cancellation);
          } catch (StepException e) {
            throw new IllegalStateException(e);
          }
        });
  }

  private static void assertStillWaiting(CompletableFuture<?> waiting) {
    assertThatThrownBy(() -> waiting.get(300, TimeUnit.MILLISECONDS))
        .isInstanceOf(TimeoutException.class);
  }

  private static IndexPlan.Build build(int dumpId, String table, boolean constraint) {
    return new IndexPlan.Build(
        dumpId, dumpId + "; 0 0 X", new TableIndex(1, dumpId, table, "i" + dumpId, constraint));
  }
}
