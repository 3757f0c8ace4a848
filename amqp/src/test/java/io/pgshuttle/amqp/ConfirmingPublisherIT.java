package io.pgshuttle.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.pgshuttle.messages.AgentHeartbeat;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.Topology;
import io.pgshuttle.testkit.TestBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Publishing with confirms on the real broker: routed, unroutable, and a refused publish. */
class ConfirmingPublisherIT {
  private final Topology topology = new Topology(TestBroker.freshNamespace());
  private final MessageCodec codec = new MessageCodec();
  private Connection connection;
  private ConfirmingPublisher publisher;

  @BeforeEach
  void connect() throws Exception {
    connection = new AmqpConnector(TestBroker.uri(), Duration.ofSeconds(10)).connect("it");
    try (Channel channel = connection.createChannel()) {
      new TopologyDeclarer(topology).declareAgent(channel, "vm-1");
    }
    publisher = new ConfirmingPublisher(connection, codec, Duration.ofSeconds(5));
  }

  @AfterEach
  void close() throws Exception {
    publisher.close();
    connection.close();
    TestBroker.delete(
        List.of(
            topology.requestsQueue(),
            topology.requestsDeadLetterQueue(),
            topology.agentQueue("vm-1"),
            topology.agentControlQueue("vm-1")),
        List.of(
            topology.requestsDeadLetterExchange(),
            topology.commandsExchange(),
            topology.controlExchange(),
            topology.eventsExchange()));
  }

  private static Envelope<Event> heartbeat() {
    return Envelope.of("vm-1", MigrationId.forRequest("r"), 1, 1, new AgentHeartbeat(Step.DUMP));
  }

  @Test
  void mandatoryPublishTellsRoutedFromUnroutable() throws Exception {
    Envelope<Event> routed = heartbeat();
    assertThat(
            publisher.publish(topology.controlExchange(), "vm-1", routed, true, Map.of("h", "v")))
        .isEqualTo(PublishOutcome.ROUTED);
    assertThat(publisher.publish(topology.controlExchange(), "vm-2", heartbeat(), true, Map.of()))
        .isEqualTo(PublishOutcome.UNROUTABLE);

    // The control queue, since a single-active-consumer quorum queue refuses basic.get.
    try (Channel channel = connection.createChannel()) {
      GetResponse got = channel.basicGet(topology.agentControlQueue("vm-1"), true);
      assertThat(got).isNotNull();
      assertThat(got.getProps().getMessageId()).isEqualTo(routed.messageId().toString());
      assertThat(got.getProps().getDeliveryMode()).isEqualTo(2);
      assertThat(got.getProps().getHeaders()).containsKey("h");
      assertThat(codec.decode(got.getBody(), Event.class)).isEqualTo(routed);
      assertThat(channel.basicGet(topology.agentControlQueue("vm-1"), true)).isNull();
    }
  }

  @Test
  void publishToAMissingExchangeIsAnAmqpExceptionAndThePublisherRecovers() {
    assertThatThrownBy(
            () ->
                publisher.publish(
                    "no-such-exchange-" + topology.namespace(), "k", heartbeat(), false, Map.of()))
        .isInstanceOf(AmqpException.class)
        .hasMessageContaining("no-such-exchange");
    assertThat(publisher.publish(topology.commandsExchange(), "vm-1", heartbeat(), true, Map.of()))
        .isEqualTo(PublishOutcome.ROUTED);
  }

  @Test
  void batchesFromManyThreadsAtOnceEachGetTheirOwnOutcomes() throws Exception {
    int threads = 6;
    int perBatch = 20;
    try (ConfirmingPublisher shared =
        new ConfirmingPublisher(connection, codec, Duration.ofSeconds(10), null, 3)) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<Map<String, PublishOutcome>>> batches = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          batches.add(
              pool.submit(
                  () -> {
                    List<ConfirmingPublisher.Outgoing> outgoing = new ArrayList<>();
                    for (int i = 0; i < perBatch; i++) {
                      Envelope<Event> envelope = heartbeat();
                      outgoing.add(
                          new ConfirmingPublisher.Outgoing(
                              topology.controlExchange(),
                              i % 2 == 0 ? "vm-1" : "vm-2",
                              envelope,
                              codec.encode(envelope),
                              true,
                              Map.of()));
                    }
                    List<PublishOutcome> outcomes = shared.publishAll(outgoing);
                    Map<String, PublishOutcome> byId = new HashMap<>();
                    for (int i = 0; i < perBatch; i++) {
                      byId.put(outgoing.get(i).envelope().messageId().toString(), outcomes.get(i));
                    }
                    return byId;
                  }));
        }
        Set<String> routed = new HashSet<>();
        for (Future<Map<String, PublishOutcome>> batch : batches) {
          Map<String, PublishOutcome> outcomes = batch.get(30, TimeUnit.SECONDS);
          assertThat(outcomes.values())
              .containsOnly(PublishOutcome.ROUTED, PublishOutcome.UNROUTABLE)
              .filteredOn(outcome -> outcome == PublishOutcome.ROUTED)
              .hasSize(perBatch / 2);
          outcomes.forEach(
              (id, outcome) -> {
                if (outcome == PublishOutcome.ROUTED) {
                  routed.add(id);
                }
              });
        }

        // Exactly the messages reported routed are in the queue: none lost, none misreported.
        Set<String> queued = new HashSet<>();
        try (Channel channel = connection.createChannel()) {
          GetResponse got;
          while ((got = channel.basicGet(topology.agentControlQueue("vm-1"), true)) != null) {
            queued.add(got.getProps().getMessageId());
          }
        }
        assertThat(queued).hasSize(threads * perBatch / 2).isEqualTo(routed);
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void badUriSaysHowToWriteOne() {
    assertThatThrownBy(() -> new AmqpConnector("http://nope", Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("amqp://user:password@host:5672/%2f");
  }
}
