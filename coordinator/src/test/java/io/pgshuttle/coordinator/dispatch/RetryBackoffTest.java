package io.pgshuttle.coordinator.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryBackoffTest {
  private static final Duration INITIAL = Duration.ofSeconds(5);
  private static final Duration MAX = Duration.ofMinutes(1);

  @Test
  void doublesPerFailedAttemptWithoutJitter() {
    RetryBackoff backoff = new RetryBackoff(INITIAL, MAX, () -> 0.0);

    assertThat(backoff.after(1)).isEqualTo(Duration.ofSeconds(5));
    assertThat(backoff.after(2)).isEqualTo(Duration.ofSeconds(10));
    assertThat(backoff.after(3)).isEqualTo(Duration.ofSeconds(20));
    assertThat(backoff.after(4)).isEqualTo(Duration.ofSeconds(40));
  }

  @Test
  void neverWaitsLongerThanTheMaximum() {
    RetryBackoff backoff = new RetryBackoff(INITIAL, MAX, () -> 0.0);

    assertThat(backoff.after(5)).isEqualTo(MAX);
    assertThat(backoff.after(20)).isEqualTo(MAX);
    assertThat(backoff.after(Integer.MAX_VALUE)).isEqualTo(MAX);
  }

  @Test
  void jitterTakesUpToTwentyPercentOff() {
    assertThat(new RetryBackoff(INITIAL, MAX, () -> 0.5).after(2)).isEqualTo(Duration.ofSeconds(9));
    assertThat(new RetryBackoff(INITIAL, MAX, () -> 0.999_999).after(2))
        .isEqualTo(Duration.ofSeconds(8));
    assertThat(new RetryBackoff(INITIAL, MAX, () -> 0.999_999).after(10))
        .isEqualTo(Duration.ofSeconds(48));
  }

  @Test
  void zeroBackoffRetriesAtOnce() {
    assertThat(new RetryBackoff(Duration.ZERO, Duration.ZERO, () -> 0.7).after(3))
        .isEqualTo(Duration.ZERO);
  }

  @Test
  void refusesAttemptsBelowOneAndNegativeBackoffs() {
    assertThatThrownBy(() -> new RetryBackoff(INITIAL, MAX, () -> 0.0).after(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("attempts count from 1");
    assertThatThrownBy(() -> new RetryBackoff(Duration.ofSeconds(-1), MAX, () -> 0.0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
