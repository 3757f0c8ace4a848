package io.pgshuttle.coordinator.dispatch;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * How long to wait before the next attempt: {@code initial * 2^(failedAttempt - 1)}, capped at
 * {@code max}, minus a random jitter of up to {@value #MAX_JITTER_PERCENT}% so that migrations that
 * failed together do not retry together. The cap is a true maximum. Pure and thread-safe if {@code
 * random} is.
 */
public final class RetryBackoff {
  static final int MAX_JITTER_PERCENT = 20;

  private final Duration initial;
  private final Duration max;
  private final DoubleSupplier random;

  /**
   * @param random gives numbers in [0, 1)
   */
  public RetryBackoff(Duration initial, Duration max, DoubleSupplier random) {
    if (initial.isNegative() || max.isNegative()) {
      throw new IllegalArgumentException("backoffs must not be negative");
    }
    this.initial = initial;
    this.max = max;
    this.random = random;
  }

  /**
   * The wait after attempt {@code failedAttempt} (1 for the first) failed.
   *
   * @throws IllegalArgumentException if {@code failedAttempt} is below 1
   */
  public Duration after(int failedAttempt) {
    if (failedAttempt < 1) {
      throw new IllegalArgumentException("attempts count from 1, not " + failedAttempt);
    }
    double exponential = initial.toMillis() * Math.pow(2, failedAttempt - 1);
    double capped = Math.min(exponential, max.toMillis());
    double jitter = capped * MAX_JITTER_PERCENT / 100.0 * random.getAsDouble();
    return Duration.ofMillis(Math.round(capped - jitter));
  }
}
