package io.pgshuttle.agent.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.StepProgress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimitedProgressReporterTest {
  private final AtomicLong nanos = new AtomicLong();
  private final List<Event> sent = new ArrayList<>();
  private final RateLimitedProgressReporter reporter =
      new RateLimitedProgressReporter(sent::add, Duration.ofSeconds(1), nanos::get);

  /** Progress that tells no share of the work done, so no time left is estimated. */
  private static StepProgress progress(Step step, int report) {
    return new StepProgress(step, null, null, null, null, null, "report " + report);
  }

  private static StepProgress bytes(long done, long total) {
    return new StepProgress(Step.DUMP, null, done, total, null, null, null);
  }

  @Test
  void sendsTheFirstReportAndThenAtMostOnePerIntervalPerStep() {
    reporter.report(progress(Step.DUMP, 1));
    nanos.addAndGet(Duration.ofMillis(999).toNanos());
    reporter.report(progress(Step.DUMP, 2));
    reporter.report(progress(Step.RESTORE, 3));
    nanos.addAndGet(Duration.ofMillis(1).toNanos());
    reporter.report(progress(Step.DUMP, 4));
    reporter.report(progress(Step.DUMP, 5));
    nanos.addAndGet(Duration.ofMillis(1500).toNanos());
    reporter.report(progress(Step.RESTORE, 6));

    assertThat(sent)
        .containsExactly(
            progress(Step.DUMP, 1),
            progress(Step.RESTORE, 3),
            progress(Step.DUMP, 4),
            progress(Step.RESTORE, 6));
  }

  @Test
  void sentReportsCarryTheTimeLeftAtTheStepsAverageRate() {
    reporter.report(bytes(100, 1000));
    nanos.addAndGet(Duration.ofSeconds(2).toNanos());
    reporter.report(bytes(300, 1000));
    nanos.addAndGet(Duration.ofMillis(500).toNanos());
    reporter.report(bytes(400, 1000));
    nanos.addAndGet(Duration.ofSeconds(2).toNanos());
    reporter.report(bytes(1000, 1000));

    // 200 bytes in 2 s leave 700 for 7 s; 900 in 4.5 s leave none.
    assertThat(sent)
        .containsExactly(
            bytes(100, 1000),
            bytes(300, 1000).withEtaSeconds(7L),
            bytes(1000, 1000).withEtaSeconds(0L));
  }

  @Test
  void keepsAnEstimateTheStepSentItself() {
    reporter.report(bytes(100, 1000).withEtaSeconds(60L));

    assertThat(sent).containsExactly(bytes(100, 1000).withEtaSeconds(60L));
  }
}
