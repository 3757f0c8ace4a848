package io.pgshuttle.agent.pipeline;

import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.StepProgress;
import java.util.EnumMap;
import java.util.Map;

/**
 * Estimates the time a step has left from its average rate since its first report: the share of the
 * work done, from bytes, else tables, else percent, and how long it took to get there. Not
 * thread-safe: one caller at a time, such as {@link RateLimitedProgressReporter} under its lock.
 */
final class EtaEstimator {
  private static final double NANOS_PER_SECOND = 1e9;

  private final Map<Step, Sample> firstReports = new EnumMap<>(Step.class);

  /** The share of a step done at a moment of the monotonic clock. */
  private record Sample(long nanos, double done) {}

  /**
   * Notes {@code progress} as reported at {@code nanos} and estimates the seconds left, rounded up.
   *
   * @return null while unknown: no share of the work can be told, it is the step's first report, or
   *     nothing was done since
   */
  Long etaSeconds(StepProgress progress, long nanos) {
    Double done = shareDone(progress);
    if (done == null) {
      return null;
    }
    Sample first = firstReports.putIfAbsent(progress.step(), new Sample(nanos, done));
    if (first == null) {
      return null;
    }
    if (done >= 1) {
      return 0L;
    }
    double gained = done - first.done();
    long elapsed = nanos - first.nanos();
    if (gained <= 0 || elapsed <= 0) {
      return null;
    }
    return (long) Math.ceil((1 - done) / gained * elapsed / NANOS_PER_SECOND);
  }

  /** From 0 to 1, or null when the report does not tell. */
  private static Double shareDone(StepProgress progress) {
    if (progress.bytesDone() != null
        && progress.bytesTotal() != null
        && progress.bytesTotal() > 0) {
      return clamp((double) progress.bytesDone() / progress.bytesTotal());
    }
    if (progress.tablesDone() != null
        && progress.tablesTotal() != null
        && progress.tablesTotal() > 0) {
      return clamp((double) progress.tablesDone() / progress.tablesTotal());
    }
    if (progress.percent() != null && Double.isFinite(progress.percent())) {
      return clamp(progress.percent() / 100);
    }
    return null;
  }

  private static double clamp(double share) {
    return Math.max(0, Math.min(1, share));
  }
}
