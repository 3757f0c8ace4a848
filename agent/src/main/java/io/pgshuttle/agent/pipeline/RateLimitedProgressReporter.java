package io.pgshuttle.agent.pipeline;

import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.StepProgress;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Sends progress to an {@link EventSink}, at most one report per step per interval: the first
 * report of a step goes out at once, later ones only when the interval has passed since the last
 * one sent; the others are dropped. A report sent without an estimate of the time left gets one
 * from the step's rate so far ({@link EtaEstimator}). Thread-safe: steps that run alongside each
 * other report from their own threads, and since the interval is kept per step, one step's reports
 * never hold back the other's.
 */
public final class RateLimitedProgressReporter implements ProgressReporter {
  private final EventSink sink;
  private final long intervalNanos;
  private final LongSupplier nanoClock;
  private final Map<Step, Long> lastSent = new EnumMap<>(Step.class);
  private final EtaEstimator eta = new EtaEstimator();

  /**
   * @param nanoClock a monotonic clock in nanoseconds, {@code System::nanoTime} outside tests
   */
  public RateLimitedProgressReporter(EventSink sink, Duration interval, LongSupplier nanoClock) {
    this.sink = sink;
    this.intervalNanos = interval.toNanos();
    this.nanoClock = nanoClock;
  }

  @Override
  public void report(StepProgress progress) {
    long now = nanoClock.getAsLong();
    StepProgress sent;
    synchronized (this) {
      Long last = lastSent.get(progress.step());
      if (last != null && now - last < intervalNanos) {
        return;
      }
      lastSent.put(progress.step(), now);
      sent =
          progress.etaSeconds() != null
              ? progress
              : progress.withEtaSeconds(eta.etaSeconds(progress, now));
    }
    sink.emit(sent);
  }
}
