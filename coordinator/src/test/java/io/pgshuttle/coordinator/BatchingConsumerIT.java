package io.pgshuttle.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Delivery;
import io.pgshuttle.coordinator.broker.BatchingConsumer;
import io.pgshuttle.coordinator.broker.BatchingConsumer.Taken;
import io.pgshuttle.coordinator.broker.Broker;
import io.pgshuttle.testkit.TestBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The batching consumer against the broker, through what the broker delivers again and what stays
 * in the queue.
 */
class BatchingConsumerIT extends WithCoordinatorFixture {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private Connection connection;
  private Channel channel;
  private String queue;

  @BeforeEach
  void queue() throws Exception {
    fixture.start();
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(TestBroker.uri());
    connection = factory.newConnection("pgshuttle-batching-consumer-test");
    channel = connection.createChannel();
    channel.confirmSelect();
    queue = fixture.topology.namespace() + ".batching";
    channel.queueDeclare(queue, true, false, false, Map.of("x-queue-type", "quorum"));
  }

  @AfterEach
  void deleteQueue() throws Exception {
    channel.queueDelete(queue);
    connection.close();
  }

  /**
   * A handler that throws leaves part of its batch unsettled. Those deliveries come again, and the
   * next batch's ack (multiple=true) does not ack them unhandled.
   */
  @Test
  void whatAFailingHandlerLeftUnsettledIsDeliveredAgainNotAckedWithTheNextBatch() throws Exception {
    for (int number = 0; number < 10; number++) {
      channel.basicPublish(
          "", queue, null, String.valueOf(number).getBytes(StandardCharsets.UTF_8));
      channel.waitForConfirmsOrDie(10_000);
    }
    AtomicInteger failures = new AtomicInteger();
    Set<Integer> handled = ConcurrentHashMap.newKeySet();
    List<Integer> redelivered = Collections.synchronizedList(new ArrayList<>());
    BatchingConsumer consumer =
        BatchingConsumer.start(
            fixture.get(Broker.class),
            queue,
            3,
            "batching-test",
            "batching-test",
            batch -> {
              List<Taken> done = new ArrayList<>();
              for (Taken taken : batch) {
                int number = number(taken.delivery());
                if (number == 4 && failures.getAndIncrement() == 0) {
                  throw new IllegalStateException("a handler's bug, once");
                }
                if (taken.delivery().getEnvelope().isRedeliver()) {
                  redelivered.add(number);
                }
                handled.add(number);
                done.add(taken);
              }
              Taken.ackAll(done);
            });
    await().atMost(WAIT).until(() -> handled.size() == 10);

    consumer.close();

    // Had the next batch's ack taken it along, 4 would never have been handled.
    assertThat(redelivered)
        .contains(4)
        .hasSizeLessThanOrEqualTo(3)
        .allMatch(n -> Math.abs(n - 4) < 3);
    assertThat(channel.queueDeclarePassive(queue).getMessageCount()).isZero();
  }

  private static int number(Delivery delivery) {
    return Integer.parseInt(new String(delivery.getBody(), StandardCharsets.UTF_8));
  }
}
