package io.pgshuttle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class StatusChangesTest {
  private final StringWriter text = new StringWriter();
  private final StatusChanges changes =
      new StatusChanges(new ProgressView(new PrintWriter(text), false));
  private final StatusJson json = new StatusJson("test");

  @Test
  void printsAnAttemptThatFailedAtOnceInTheOrderItHappened() {
    changes.show(json.migration(StatusSamples.failedAtOnce()));

    assertThat(text.toString())
        .isEqualTo(
            "attempt 1 of 1 started\n"
                + "attempt 1 failed: no agent for instance vm-1 (not retryable)\n"
                + "migration FAILED\n");
  }

  @Test
  void printsOnlyWhatChangedSinceTheLastSnapshot() {
    changes.show(json.migration(StatusSamples.running()));
    text.getBuffer().setLength(0);

    changes.show(json.migration(StatusSamples.running()));
    changes.show(json.migration(StatusSamples.retrying()));

    assertThat(text.toString())
        .isEqualTo("attempt 1 failed: target refused connections (retryable)\n");
  }

  @Test
  void aSeededSnapshotIsNotPrintedAgain() {
    changes.seed(json.migration(StatusSamples.retrying()));

    changes.show(json.migration(StatusSamples.retrying()));

    assertThat(text.toString()).isEmpty();
  }

  @Test
  void aMigrationErrorOtherThanTheAttemptsIsPrinted() throws Exception {
    ObjectNode cancelled = (ObjectNode) new ObjectMapper().readTree(StatusSamples.retrying());
    cancelled.put("state", "CANCELLED").put("error", "cancelled by operator");

    changes.show(json.migration(cancelled.toString()));

    assertThat(text.toString())
        .endsWith(
            "attempt 1 failed: target refused connections (retryable)\n"
                + "migration CANCELLED: cancelled by operator\n");
  }
}
