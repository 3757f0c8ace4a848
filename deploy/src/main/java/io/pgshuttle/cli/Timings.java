package io.pgshuttle.cli;

import java.time.Duration;

/**
 * How long the client commands wait and how often they look.
 *
 * @param pollInterval the longest wait between two status requests of {@code submit --wait} and
 *     {@code cancel --wait} (an event the coordinator stores ends it sooner), and of {@code gc
 *     --wait}
 * @param appearTimeout how long {@code submit --wait} waits for the coordinator to record the
 *     request before giving up
 * @param statusCheckInterval how long {@code watch} waits for an event before asking the
 *     coordinator for the state (a migration may end without an event, e.g. when cancelled)
 * @param brokerConnectTimeout how long to keep trying to reach the broker
 * @param httpTimeout how long one request to the coordinator may take
 * @param sweepTimeout how long {@code gc --wait} waits for every agent's report
 */
public record Timings(
    Duration pollInterval,
    Duration appearTimeout,
    Duration statusCheckInterval,
    Duration brokerConnectTimeout,
    Duration httpTimeout,
    Duration sweepTimeout) {

  /** What the installed command uses. */
  public static Timings standard() {
    return new Timings(
        Duration.ofSeconds(1),
        Duration.ofMinutes(2),
        Duration.ofSeconds(5),
        Duration.ofSeconds(5),
        Duration.ofSeconds(30),
        Duration.ofMinutes(10));
  }
}
