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

  private static StepProgress progress(Step step, double percent) {
    return new StepProgress(step, percent, null, null, null, null, null);
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
}
