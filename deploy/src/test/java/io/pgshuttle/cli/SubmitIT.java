package io.pgshuttle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.MigrationRequest;
import io.pgshuttle.messages.Secret;
import io.pgshuttle.messages.Topology;
import io.pgshuttle.testkit.TestBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pgshuttle submit} against the real local RabbitMQ, in a namespace of its own. */
class SubmitIT {
  private static final String PASSWORD = "tgt-Pa55-w0rd";

  private final Topology topology = new Topology(TestBroker.freshNamespace());
  private final LiveBackends backends = new LiveBackends(Timings.standard());
  private final MessageCodec codec = new MessageCodec();

  @AfterEach
  void deleteBrokerObjects() {
    TestBroker.delete(
        List.of(topology.requestsQueue(), topology.requestsDeadLetterQueue()),
        List.of(
            topology.eventsExchange(),
            topology.commandsExchange(),
            topology.controlExchange(),
            topology.requestsDeadLetterExchange()));
  }

  @Test
  void theRequestArrivesInTheRequestsQueueWithThePasswordOnlyInTheMessage() throws Exception {
    CliRun run =
        CliRun.run(
            environment(Map.of("PGSHUTTLE_TARGET_PASSWORD", PASSWORD)),
            backends,
            "submit",
            "--instance",
            "vm-it-1",
            "--target",
            "postgresql://migrator@10.1.2.3:5433",
            "--database",
            "shop",
            "--request-id",
            "it-request-1",
            "--json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    String migrationId = MigrationId.forRequest("it-request-1").toString();
    assertThat(run.out().strip())
        .isEqualTo("{\"migrationId\":\"" + migrationId + "\",\"requestId\":\"it-request-1\"}");
    assertThat(run.all()).doesNotContain(PASSWORD);

    GetResponse delivery = takeOneRequest();
    String body = new String(delivery.getBody(), StandardCharsets.UTF_8);
    assertThat(body).contains(PASSWORD);
    assertThat(delivery.getProps().getDeliveryMode()).isEqualTo(2);
    assertThat(delivery.getProps().getType()).isEqualTo("MigrationRequest");
    Envelope<MigrationRequest> envelope = codec.decode(delivery.getBody(), MigrationRequest.class);
    assertThat(envelope.migrationId().toString()).isEqualTo(migrationId);
    assertThat(envelope.instanceId()).isEqualTo("vm-it-1");
    MigrationRequest request = envelope.payload();
    assertThat(request.requestId()).isEqualTo("it-request-1");
    assertThat(request.databases()).containsExactly("shop");
    assertThat(request.target().describe()).isEqualTo("migrator@10.1.2.3:5433");
    assertThat(request.target().password()).isEqualTo(Secret.of(PASSWORD));
  }

  @Test
  void thePasswordMayComeFromAFile(@TempDir Path directory) throws Exception {
    Path passwordFile = directory.resolve("target-password");
    Files.writeString(passwordFile, "from-a-file\n");

    CliRun run =
        CliRun.run(
            environment(Map.of("PGSHUTTLE_TARGET_PASSWORD", "from-the-environment")),
            backends,
            "submit",
            "--instance",
            "vm-it-2",
            "--target",
            "postgresql://migrator@db",
            "--target-password-file",
            passwordFile.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    MigrationRequest request =
        codec.decode(takeOneRequest().getBody(), MigrationRequest.class).payload();
    assertThat(request.target().password()).isEqualTo(Secret.of("from-a-file"));
    assertThat(run.out().strip()).isEqualTo(request.migrationId().toString());
  }

  @Test
  void aMissingPasswordFileIsBadInputAndPublishesNothing(@TempDir Path directory) throws Exception {
    CliRun run =
        CliRun.run(
            environment(Map.of()),
            backends,
            "submit",
            "--instance",
            "vm-it-3",
            "--target",
            "postgresql://migrator@db",
            "--target-password-file",
            directory.resolve("absent").toString());

    assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("--target-password-file").contains("does not exist");
    assertThat(requestsQueueExists()).isFalse();
  }

  @Test
  void anUnreachableBrokerIsExitCode3NamingTheSetting() {
    LiveBackends impatient =
        new LiveBackends(
            new Timings(
                Duration.ofSeconds(1),
                Duration.ofSeconds(1),
                Duration.ofSeconds(1),
                Duration.ofMillis(500),
                Duration.ofSeconds(1),
                Duration.ofSeconds(1)));

    CliRun run =
        CliRun.run(
            Map.of(
                "PGSHUTTLE_AMQP_URI",
                "amqp://guest:broker-secret@127.0.0.1:1/%2f",
                "PGSHUTTLE_NAMESPACE",
                topology.namespace()),
            impatient,
            "submit",
            "--instance",
            "vm-it-4",
            "--target",
            "postgresql://migrator@db");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.UNREACHABLE);
    assertThat(run.err()).contains("127.0.0.1:1").contains("PGSHUTTLE_AMQP_URI");
    assertThat(run.all()).doesNotContain("broker-secret");
  }

  private Map<String, String> environment(Map<String, String> extra) {
    Map<String, String> environment = new HashMap<>(extra);
    environment.put("PGSHUTTLE_AMQP_URI", TestBroker.uri());
    environment.put("PGSHUTTLE_NAMESPACE", topology.namespace());
    return environment;
  }

  private GetResponse takeOneRequest() throws Exception {
    try (Connection connection = connect();
        Channel channel = connection.createChannel()) {
      GetResponse response = channel.basicGet(topology.requestsQueue(), true);
      assertThat(response).as("a message in " + topology.requestsQueue()).isNotNull();
      assertThat(channel.basicGet(topology.requestsQueue(), true)).as("a second message").isNull();
      return response;
    }
  }

  private boolean requestsQueueExists() throws Exception {
    try (Connection connection = connect()) {
      Channel channel = connection.createChannel();
      try {
        channel.queueDeclarePassive(topology.requestsQueue());
        return true;
      } catch (IOException notFound) {
        return false;
      }
    }
  }

  private static Connection connect() throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(TestBroker.uri());
    return factory.newConnection("pgshuttle-submit-it");
  }
}
