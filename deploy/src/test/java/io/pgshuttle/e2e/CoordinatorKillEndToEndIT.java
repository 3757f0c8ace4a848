package io.pgshuttle.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgshuttle.coordinator.dispatch.DispatchLoop;
import io.pgshuttle.coordinator.dispatch.OutboxPublisher;
import io.pgshuttle.coordinator.events.EventConsumer;
import io.pgshuttle.faults.Breakpoints;
import io.pgshuttle.testkit.PostgresCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 3, point 2: the coordinator process is killed with SIGKILL after a request was recorded and
 * its attempt scheduled but before the command went out, after the broker confirmed the command but
 * before the outbox recorded it, and after an event was folded but before it was acked. Each time a
 * new coordinator process takes over from the store and the queues: the request is not lost, the
 * agent runs the attempt once, and the status ends correct. Breakpoints hold each coordinator at
 * its moment; the kills are real.
 */
class CoordinatorKillEndToEndIT {
  private static final String INSTANCE = "e2e-coordinator-kill-vm";
  private static final String DATABASE = "orders";

  private static E2eEnvironment environment;
  private static PostgresCluster source;
  private static Map<String, List<List<String>>> sourceBefore;

  @BeforeAll
  static void startInstallationAndSource() {
    source = PostgresCluster.startTrusting();
    source.execute("postgres", "CREATE DATABASE " + DATABASE);
    source.execute(
        DATABASE,
        "CREATE TABLE orders AS SELECT g AS id, md5(g::text) AS item FROM generate_series(1, 50000) g");
    sourceBefore = DatabaseSnapshot.of(source, DATABASE);
    environment = new E2eEnvironment();
  }

  @AfterAll
  static void stopEverything() {
    Closing.all(environment, source);
  }

  @Test
  void aCoordinatorKilledAtEachMomentLosesNothingAndDispatchesOnce() {
    try (PostgresCluster target = PostgresCluster.startWithPassword("target-pw-coordinator")) {
      environment.coordinator().close();
      PgShuttleProcess coordinator = startHeldAt(DispatchLoop.BREAKPOINT_ATTEMPT_SCHEDULED);
      PgShuttleProcess agent = environment.startAgent(INSTANCE, source, Map.of());
      String id = environment.submit(INSTANCE, target, List.of("--database", DATABASE));

      awaitHolding(coordinator, DispatchLoop.BREAKPOINT_ATTEMPT_SCHEDULED);
      JsonNode scheduled = environment.http().status(id).orElseThrow();
      assertThat(scheduled.path("attempts").path(0).path("state").asText())
          .as("recorded, not yet published")
          .isEqualTo("DISPATCHED");
      coordinator.kill();

      coordinator = startHeldAt(OutboxPublisher.BREAKPOINT_COMMAND_CONFIRMED);
      awaitHolding(coordinator, OutboxPublisher.BREAKPOINT_COMMAND_CONFIRMED);
      coordinator.kill();

      coordinator = startHeldAt(EventConsumer.BREAKPOINT_EVENT_FOLDED);
      awaitHolding(coordinator, EventConsumer.BREAKPOINT_EVENT_FOLDED);
      coordinator.kill();

      environment.startCoordinator(Map.of());
      JsonNode status = environment.http().awaitTerminal(id, Duration.ofMinutes(3));

      assertThat(status.path("state").asText())
          .as("status %s%n%s", status, environment.logs())
          .isEqualTo("SUCCEEDED");
      assertThat(status.path("attempts")).hasSize(1);
      status
          .path("steps")
          .forEach(step -> assertThat(step.path("state").asText()).isEqualTo("SUCCEEDED"));
      assertThat(DatabaseSnapshot.of(target, DATABASE)).isEqualTo(sourceBefore);
      String agentLog = agent.errors();
      assertThat(count(agentLog, "attempt 1 of migration " + id + " starts"))
          .as("the agent ran the attempt once%n%s", agentLog)
          .isEqualTo(1);
      assertThat(agentLog)
          .as("the command the killed coordinator published again was recognised")
          .contains("ignored a repeated command for attempt 1 of " + id);
    }
  }

  private static PgShuttleProcess startHeldAt(String breakpoint) {
    return environment.startCoordinator(Map.of(Breakpoints.VARIABLE, breakpoint));
  }

  private static void awaitHolding(PgShuttleProcess coordinator, String breakpoint) {
    await()
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(50))
        .alias("the coordinator holds at " + breakpoint)
        .until(() -> coordinator.errors().contains(Breakpoints.holdingMessage(breakpoint)));
  }

  private static int count(String text, String part) {
    return (int) Pattern.compile(Pattern.quote(part)).matcher(text).results().count();
  }
}
