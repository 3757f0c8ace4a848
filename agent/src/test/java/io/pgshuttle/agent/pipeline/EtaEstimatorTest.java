package io.pgshuttle.agent.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.StepProgress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class EtaEstimatorTest {
  private final EtaEstimator estimator = new EtaEstimator();

  private static long seconds(double seconds) {
    return (long) (seconds * 1e9);
  }

  private Long at(double seconds, StepProgress progress) {
    return estimator.etaSeconds(progress, seconds(seconds));
  }

  private static StepProgress bytes(Step step, long done, long total) {
    return new StepProgress(step, null, done, total, null, null, null);
  }

  private static StepProgress tables(int done, int total) {
    return new StepProgress(Step.RESTORE, null, null, null, done, total, null);
  }

  private static StepProgress percent(Double percent) {
    return new StepProgress(Step.VERIFY, percent, null, null, null, null, null);
  }

  @Test
  void isUnknownAtTheFirstReportAndThenFollowsTheAverageRateOfBytes() {
    assertThat(at(10, bytes(Step.DUMP, 0, 1000))).isNull();
    // 250 bytes in 5 s: 750 left take 15 s.
    assertThat(at(15, bytes(Step.DUMP, 250, 1000))).isEqualTo(15L);
    // The average since the first report, not the last interval: 500 in 15 s, 500 left.
    assertThat(at(25, bytes(Step.DUMP, 500, 1000))).isEqualTo(15L);
  }

  @Test
  void roundsUpSoThatAStepWithWorkLeftNeverShowsZero() {
    at(0, bytes(Step.DUMP, 0, 1000));

    assertThat(at(1, bytes(Step.DUMP, 999, 1000))).isEqualTo(1L);
  }

  @Test
  void usesTablesWhenNoBytesAreKnownAndPercentWhenNeither() {
    at(0, tables(0, 10));
    assertThat(at(20, tables(4, 10))).isEqualTo(30L);

    at(0, percent(10.0));
    assertThat(at(Duration.ofMinutes(1).toSeconds(), percent(40.0))).isEqualTo(120L);
  }

  @Test
  void keepsEachStepsRateApart() {
    at(0, bytes(Step.DUMP, 0, 100));
    at(0, bytes(Step.RESTORE, 0, 100));

    assertThat(at(10, bytes(Step.DUMP, 50, 100))).isEqualTo(10L);
    assertThat(at(10, bytes(Step.RESTORE, 10, 100))).isEqualTo(90L);
  }

  @Test
  void isZeroWhenAllIsDoneEvenIfTheTotalWasAnUnderestimate() {
    at(0, bytes(Step.DUMP, 0, 100));

    assertThat(at(5, bytes(Step.DUMP, 150, 100))).isZero();
  }

  @Test
  void isUnknownWithoutAShareOfTheWorkOrWhileNothingMoves() {
    assertThat(at(0, percent(null))).isNull();
    assertThat(at(5, percent(null))).isNull();
    assertThat(at(0, bytes(Step.DUMP, 0, 0))).isNull();

    at(0, bytes(Step.RESTORE, 30, 100));
    assertThat(at(60, bytes(Step.RESTORE, 30, 100))).isNull();
    assertThat(at(90, bytes(Step.RESTORE, 20, 100))).isNull();
  }
}
