package io.pgshuttle.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgshuttle.e2e.ChaosSchedule.Fault;
import io.pgshuttle.e2e.ChaosSchedule.Kind;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChaosScheduleTest {
  private static final Duration WINDOW = Duration.ofSeconds(40);

  @Test
  void theSameSeedGivesTheSameFaultsAndAnotherSeedOthers() {
    List<Fault> first = ChaosSchedule.plan(42, 20, 30, WINDOW);

    assertThat(ChaosSchedule.plan(42, 20, 30, WINDOW)).isEqualTo(first);
    assertThat(ChaosSchedule.plan(43, 20, 30, WINDOW)).isNotEqualTo(first);
  }

  @Test
  void faultsAreInOrderWithinTheWindowAndNameARealInstance() {
    List<Fault> faults = ChaosSchedule.plan(7, 5, 200, WINDOW);

    assertThat(faults).hasSize(200).isSortedAccordingTo((a, b) -> a.at().compareTo(b.at()));
    assertThat(faults)
        .allSatisfy(
            fault -> {
              assertThat(fault.at()).isBetween(Duration.ZERO, WINDOW);
              if (fault.kind() == Kind.KILL_AGENT) {
                assertThat(fault.instance()).isBetween(0, 4);
              } else {
                assertThat(fault.instance()).isEqualTo(-1);
              }
            });
    assertThat(faults).extracting(Fault::kind).contains(Kind.values());
  }

  @Test
  void refusesASoakWithoutInstances() {
    assertThatThrownBy(() -> ChaosSchedule.plan(1, 0, 3, WINDOW))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least one instance");
  }
}
