package io.pgshuttle.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MigrationRequest;
import io.pgshuttle.messages.Topology;
import io.pgshuttle.testkit.RabbitNode;
import io.pgshuttle.testkit.TestBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * Issue 3, point 3, for {@code pgshuttle submit}: a publish that the broker has not confirmed when
 * the connection drops is published again. To hold a publish unconfirmed for as long as the test
 * needs, the test's own RabbitMQ node is told to block publishers (a memory high watermark of 0, as
 * under memory pressure): the request is on the wire, the broker does not take it, submit waits for
 * the confirm. Then the connection is closed by force, or the node restarted.
 */
class SubmitBrokerOutageIT {
  private static final String PASSWORD = "outage-target-pw";

  @AutoClose static final RabbitNode broker = RabbitNode.start(List.of());

  final Topology topology = new Topology(TestBroker.freshNamespace());
  final MessageCodec codec = new MessageCodec();

  @Test
  void aRequestCutOffByAForcedCloseAndABrokerRestartIsPublishedAgainAndSubmitSucceeds()
      throws Exception {
    blockPublishers();
    CompletableFuture<CliRun> submit =
        submitInBackground("outage-request-1", Duration.ofSeconds(60));
    String first = awaitBlockedConnection(Optional.empty());

    broker.closeAllConnections("SubmitBrokerOutageIT closes every connection");
    awaitBlockedConnection(Optional.of(first));
    // The node comes back without the watermark (it is not kept across a restart).
    broker.restart();

    CliRun run = submit.get();
    assertThat(run.exitCode()).as(run.err()).isZero();
    List<MigrationRequest> queued = queuedRequests();
    assertThat(queued).as("the request is queued").isNotEmpty();
    assertThat(queued)
        .as("every copy is the same request, which the coordinator takes once")
        .allSatisfy(request -> assertThat(request.requestId()).isEqualTo("outage-request-1"));
  }

  @Test
  void aBrokerThatStaysAwayEndsSubmitNamingTheRequestIdToSubmitAgain() throws Exception {
    blockPublishers();
    CompletableFuture<CliRun> submit =
        submitInBackground("outage-request-2", Duration.ofSeconds(3));
    awaitBlockedConnection(Optional.empty());

    broker.stop();
    CliRun run;
    try {
      run = submit.get();
    } finally {
      broker.startAgain();
    }

    assertThat(run.exitCode()).isEqualTo(ExitCodes.UNREACHABLE);
    assertThat(run.err())
        .contains("may or may not be queued")
        .contains("--request-id outage-request-2");
    assertThat(run.all()).doesNotContain(PASSWORD);
  }

  private void blockPublishers() {
    broker.ctl("set_vm_memory_high_watermark", "0");
  }

  private CompletableFuture<CliRun> submitInBackground(String requestId, Duration connectTimeout) {
    LiveBackends backends =
        new LiveBackends(
            new Timings(
                Duration.ofSeconds(1),
                Duration.ofSeconds(1),
                Duration.ofSeconds(1),
                connectTimeout,
                Duration.ofSeconds(1),
                Duration.ofSeconds(1)));
    Map<String, String> environment =
        Map.of(
            "PGSHUTTLE_AMQP_URI", broker.uri(),
            "PGSHUTTLE_NAMESPACE", topology.namespace(),
            "PGSHUTTLE_TARGET_PASSWORD", PASSWORD);
    return CompletableFuture.supplyAsync(
        () ->
            CliRun.run(
                environment,
                backends,
                "submit",
                "--instance",
                "vm-outage",
                "--target",
                "postgresql://migrator@10.1.2.3:5433",
                "--request-id",
                requestId));
  }

  /**
   * Waits until a connection other than {@code other} is blocked: submit published on it and waits
   * for the confirm.
   *
   * @return its name
   */
  private String awaitBlockedConnection(Optional<String> other) {
    String[] blocked = new String[1];
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              for (String line :
                  broker.ctl("list_connections", "-q", "name", "state").split("\n")) {
                String[] columns = line.split("\t");
                if (columns.length == 2
                    && columns[1].strip().equals("blocked")
                    && !other.map(columns[0]::equals).orElse(false)) {
                  blocked[0] = columns[0];
                  return true;
                }
              }
              return false;
            });
    return blocked[0];
  }

  private List<MigrationRequest> queuedRequests() throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(broker.uri());
    List<MigrationRequest> requests = new ArrayList<>();
    try (Connection connection = factory.newConnection("submit-outage-it");
        Channel channel = connection.createChannel()) {
      for (GetResponse got = channel.basicGet(topology.requestsQueue(), true);
          got != null;
          got = channel.basicGet(topology.requestsQueue(), true)) {
        requests.add(codec.decode(got.getBody(), MigrationRequest.class).payload());
      }
    }
    return requests;
  }
}
