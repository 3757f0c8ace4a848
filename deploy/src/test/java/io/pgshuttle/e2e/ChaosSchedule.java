package io.pgshuttle.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * The faults of one chaos soak, drawn from a seed: the same seed gives the same faults at the same
 * moments, so a failing soak can be run again as it was.
 */
final class ChaosSchedule {
  private ChaosSchedule() {}

  /** What a fault does. */
  enum Kind {
    /** SIGKILL one agent process, then start it again. */
    KILL_AGENT,
    /** SIGKILL the coordinator process, then start it again. */
    KILL_COORDINATOR,
    /** Close every client connection to the broker. */
    CLOSE_CONNECTIONS,
    /** Stop the broker node and start it again with its data. */
    RESTART_BROKER
  }

  /**
   * One fault.
   *
   * @param at after the requests were published
   * @param instance index of the agent for {@link Kind#KILL_AGENT}, else -1
   */
  record Fault(Kind kind, Duration at, int instance) {
    @Override
    public String toString() {
      return kind + (instance < 0 ? "" : " #" + instance) + " at +" + at.toMillis() + " ms";
    }
  }

  /**
   * {@code faults} faults at moments spread uniformly over {@code window}, oldest first. Two in
   * five kill agents; the rest are split between killing the coordinator, closing the broker's
   * connections and restarting the broker.
   *
   * @throws IllegalArgumentException if there are no instances or {@code faults} is negative
   */
  static List<Fault> plan(long seed, int instances, int faults, Duration window) {
    if (instances < 1 || faults < 0) {
      throw new IllegalArgumentException(
          "a soak needs at least one instance and no negative faults");
    }
    Random random = new Random(seed);
    List<Fault> planned = new ArrayList<>();
    for (int i = 0; i < faults; i++) {
      Duration at = Duration.ofMillis((long) (random.nextDouble() * window.toMillis()));
      Kind kind =
          switch (random.nextInt(5)) {
            case 0, 1 -> Kind.KILL_AGENT;
            case 2 -> Kind.KILL_COORDINATOR;
            case 3 -> Kind.CLOSE_CONNECTIONS;
            default -> Kind.RESTART_BROKER;
          };
      planned.add(new Fault(kind, at, kind == Kind.KILL_AGENT ? random.nextInt(instances) : -1));
    }
    planned.sort(Comparator.comparing(Fault::at));
    return List.copyOf(planned);
  }
}
