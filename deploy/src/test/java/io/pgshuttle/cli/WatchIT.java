package io.pgshuttle.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.pgshuttle.amqp.ConfirmingPublisher;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.MigrationSucceeded;
import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.StepProgress;
import io.pgshuttle.messages.StepStarted;
import io.pgshuttle.messages.StepSucceeded;
import io.pgshuttle.messages.Topology;
import io.pgshuttle.testkit.TestBroker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code pgshuttle watch} with its events from the real local RabbitMQ and its status from an HTTP
 * server answering like the coordinator.
 */
class WatchIT {
  private static final MigrationId ID = MigrationId.parse(StatusSamples.MIGRATION_ID);
  private static final MigrationId OTHER = MigrationId.forRequest("another-request");

  private final Topology topology = new Topology(TestBroker.freshNamespace());
  private final StubCoordinator coordinator = new StubCoordinator();
  private final MessageCodec codec = new MessageCodec();

  @AfterEach
  void cleanUp() {
    coordinator.close();
    TestBroker.delete(
        List.of(topology.requestsQueue(), topology.requestsDeadLetterQueue()),
        List.of(
            topology.eventsExchange(),
            topology.commandsExchange(),
            topology.controlExchange(),
            topology.requestsDeadLetterExchange()));
  }

  @Test
  void printsTheEventsOfItsMigrationUntilItSucceeds() throws Exception {
    String path = "/v1/migrations/" + ID;
    coordinator
        .answer(path, 200, StatusSamples.running())
        .answer(path, 200, StatusSamples.succeeded());
    Map<String, String> environment =
        Map.of(
            "PGSHUTTLE_AMQP_URI", TestBroker.uri(),
            "PGSHUTTLE_NAMESPACE", topology.namespace(),
            "PGSHUTTLE_COORDINATOR_URL", coordinator.url());

    CompletableFuture<CliRun> watching =
        CompletableFuture.supplyAsync(
            () ->
                CliRun.run(
                    environment,
                    new LiveBackends(Timings.standard()),
                    "watch",
                    StatusSamples.MIGRATION_ID));
    // watch subscribes before it asks for the status: once asked, its queue is bound.
    await().atMost(Duration.ofSeconds(20)).until(() -> !coordinator.requests.isEmpty());
    publishEvents(
        Envelope.of("vm-1", OTHER, 1, 1, new StepStarted(Step.CUTOVER)),
        Envelope.of("vm-1", ID, 1, 5, new StepProgress(Step.DUMP, 75.0, null, null, 3, 4, null)),
        Envelope.of("vm-1", ID, 1, 6, new StepSucceeded(Step.DUMP, 2_000, "2 databases")),
        Envelope.of("vm-1", ID, 1, 7, new StepStarted(Step.RESTORE)),
        Envelope.of("vm-1", ID, 1, 20, new MigrationSucceeded(List.of("shop"), "all equal")));
    CliRun run = watching.get(30, TimeUnit.SECONDS);

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("State         RUNNING")
        .contains(
            "[attempt 1] DUMP            [###############-----]  75%  3/4 tables\n"
                + "[attempt 1] DUMP            succeeded in 2.0s: 2 databases\n"
                + "[attempt 1] RESTORE         started\n"
                + "migration SUCCEEDED: all equal\n")
        .contains("State         SUCCEEDED")
        .doesNotContain("CUTOVER");
  }

  private void publishEvents(Envelope<?>... envelopes) throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(TestBroker.uri());
    try (Connection connection = factory.newConnection("pgshuttle-watch-it");
        ConfirmingPublisher publisher =
            new ConfirmingPublisher(connection, codec, Duration.ofSeconds(10))) {
      for (Envelope<?> envelope : envelopes) {
        publisher.publish(
            topology.eventsExchange(),
            topology.eventRoutingKey(
                envelope.instanceId(), envelope.migrationId(), envelope.type()),
            envelope,
            false,
            Map.of());
      }
    }
  }
}
