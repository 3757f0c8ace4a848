package io.pgshuttle.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.inject.Guice;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.MigrationOptions;
import io.pgshuttle.messages.MigrationSucceeded;
import io.pgshuttle.messages.Secret;
import io.pgshuttle.messages.SslMode;
import io.pgshuttle.messages.StartMigration;
import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.StepStarted;
import io.pgshuttle.messages.TargetServer;
import io.pgshuttle.messages.Topology;
import io.pgshuttle.messages.VerifyLevel;
import io.pgshuttle.testkit.PostgresCluster;
import io.pgshuttle.testkit.RabbitNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3, point 4: a step that runs longer than the broker's consumer timeout runs once. A node of
 * the test's own has a {@code consumer_timeout} of 5 s, checked every second; DUMP takes 20 s. Had
 * the agent held the delivery unacked for the step, the broker would close its channel, the queue
 * would lose its consumer and the command would come again. A consumer of the test's own that holds
 * a delivery shows that the node enforces the timeout within DUMP's time.
 */
class ConsumerTimeoutIT {
  static final String INSTANCE = "slow-vm";
  static final Duration CONSUMER_TIMEOUT = Duration.ofSeconds(5);
  static final long DUMP_SECONDS = 20;

  @TempDir Path work;

  @Test
  void stepLongerThanTheConsumerTimeoutRunsOnceWithoutRedelivery() throws Exception {
    MessageCodec codec = new MessageCodec();
    Topology topology = new Topology("pgshuttle");
    List<Envelope<Event>> events = new CopyOnWriteArrayList<>();
    try (RabbitNode broker = RabbitNode.startWithConsumerTimeout(CONSUMER_TIMEOUT);
        PostgresCluster source = PostgresCluster.startTrusting();
        PostgresCluster target = PostgresCluster.startWithPassword("slow-pw")) {
      source.execute("postgres", "CREATE DATABASE shop");
      source.execute("shop", "CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 1000) g");
      TestAgentConfig testConfig =
          TestAgentConfig.of(INSTANCE, work)
              .broker(broker.uri(), topology.namespace())
              .source(source.url())
              .pgBindir(slowDumpTools())
              .intervals(Duration.ofSeconds(5), Duration.ofSeconds(1));
      AgentConfig config = testConfig.build();
      TestKeys keys = testConfig.keys();
      AgentDaemon agent =
          Guice.createInjector(new AgentModule(config)).getInstance(AgentDaemon.class);
      ConnectionFactory factory = new ConnectionFactory();
      factory.setUri(broker.uri());
      try (agent;
          Connection connection = factory.newConnection("consumer-timeout-it");
          Channel channel = connection.createChannel()) {
        agent.start();
        Channel holding = connection.createChannel();
        holdADelivery(holding);
        String tap = channel.queueDeclare().getQueue();
        channel.queueBind(tap, topology.eventsExchange(), "#");
        channel.basicConsume(
            tap,
            true,
            (tag, delivery) -> {
              try {
                events.add(codec.decode(delivery.getBody(), Event.class));
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            },
            tag -> {});
        MigrationId migration = MigrationId.forRequest("slow-" + work.getFileName());

        Envelope<StartMigration> command = command(migration, target, keys);
        byte[] body = codec.encode(command);
        channel.basicPublish(
            topology.commandsExchange(),
            INSTANCE,
            new AMQP.BasicProperties.Builder()
                .headers(keys.coordinatorSigner().sign(command, body))
                .build(),
            body);

        await()
            .atMost(Duration.ofSeconds(DUMP_SECONDS + 120))
            .pollInterval(Duration.ofSeconds(1))
            .until(() -> events.stream().anyMatch(e -> e.payload() instanceof MigrationSucceeded));
        assertThat(holding.isOpen())
            .as("the node closed the channel that held a delivery past the consumer timeout")
            .isFalse();
        assertThat(holding.getCloseReason().getMessage()).contains("PRECONDITION_FAILED");
        assertThat(
                events.stream().filter(e -> e.payload().equals(new StepStarted(Step.DUMP))).count())
            .as("DUMP ran once")
            .isEqualTo(1);
        var queue = channel.queueDeclarePassive(topology.agentQueue(INSTANCE));
        assertThat(queue.getConsumerCount())
            .as("the agent's channel survived the consumer timeout")
            .isEqualTo(1);
        assertThat(queue.getMessageCount()).as("nothing was redelivered").isZero();
        assertThat(target.userDatabases()).containsExactly("shop");
      }
    }
  }

  /** Consumes the one message of a quorum queue of its own on {@code channel} and never acks it. */
  private static void holdADelivery(Channel channel) throws Exception {
    String queue = "held-delivery";
    channel.queueDeclare(queue, true, false, false, Map.of("x-queue-type", "quorum"));
    channel.basicPublish("", queue, null, new byte[] {1});
    channel.basicConsume(queue, false, (tag, delivery) -> {}, tag -> {});
  }

  /** The system's tools, but pg_dump takes DUMP_SECONDS before it starts dumping. */
  private Path slowDumpTools() throws Exception {
    Path tools = Files.createDirectories(work.resolve("tools"));
    Path real = PostgresCluster.defaultBinDir();
    for (String tool : List.of("pg_dumpall", "pg_restore", "psql")) {
      Files.createSymbolicLink(tools.resolve(tool), real.resolve(tool));
    }
    Path pgDump = tools.resolve("pg_dump");
    Files.writeString(
        pgDump,
        "#!/bin/sh\n"
            + "[ \"$1\" = --version ] || sleep "
            + DUMP_SECONDS
            + "\n"
            + "exec "
            + real.resolve("pg_dump")
            + " \"$@\"\n");
    Files.setPosixFilePermissions(pgDump, PosixFilePermissions.fromString("rwxr-xr-x"));
    return tools;
  }

  /** A command as the coordinator sends it: the password sealed for the agent. */
  private static Envelope<StartMigration> command(
      MigrationId migration, PostgresCluster target, TestKeys keys) {
    return Envelope.of(
        INSTANCE,
        migration,
        1,
        0,
        new StartMigration(
            INSTANCE,
            List.of("shop"),
            new TargetServer(
                target.host(),
                target.port(),
                PostgresCluster.SUPERUSER,
                null,
                SslMode.DISABLE,
                keys.seal(Secret.of("slow-pw"))),
            new MigrationOptions(1, 1, false, VerifyLevel.FULL),
            1));
  }
}
