package io.pgshuttle.agent.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PartnerStopTest {
  private final TestCancellation attempt = new TestCancellation();
  private final PartnerStop stop = new PartnerStop(attempt);
  private final List<String> ran = new ArrayList<>();

  @Test
  void aStopRunsTheHooksAndThrowsItsReasonWithItsRetryableFlag() throws Exception {
    stop.onCancel(() -> ran.add("kill pg_restore"));
    stop.throwIfCancelled();
    assertThat(stop.isCancelled()).isFalse();

    stop.stop("RESTORE stopped because DUMP failed", true);

    assertThat(ran).containsExactly("kill pg_restore");
    assertThat(stop.isCancelled()).isTrue();
    assertThat(attempt.isCancelled()).as("the attempt goes on to its rollback").isFalse();
    assertThatThrownBy(stop::throwIfCancelled)
        .isInstanceOf(RetryableStepException.class)
        .hasMessage("RESTORE stopped because DUMP failed");
  }

  @Test
  void theAttemptsCancelFiresTheHooksAndIsTheErrorEvenAfterAStop() {
    stop.onCancel(() -> ran.add("kill pg_dump"));
    stop.stop("DUMP stopped because RESTORE failed", true);
    ran.clear();

    attempt.cancel();

    assertThat(ran).containsExactly("kill pg_dump");
    assertThatThrownBy(stop::throwIfCancelled)
        .isInstanceOf(NonRetryableStepException.class)
        .hasMessage("migration cancelled by the test");
  }

  @Test
  void aHookRegisteredAfterTheStopRunsAtOnceAndAClosedOneNeverRuns() {
    Cancellation.Registration closed = stop.onCancel(() -> ran.add("closed"));
    closed.close();
    stop.stop("stopped", false);
    stop.onCancel(() -> ran.add("late"));

    assertThat(ran).containsExactly("late");
    assertThatThrownBy(stop::throwIfCancelled)
        .isInstanceOf(NonRetryableStepException.class)
        .hasMessage("stopped");
  }
}
