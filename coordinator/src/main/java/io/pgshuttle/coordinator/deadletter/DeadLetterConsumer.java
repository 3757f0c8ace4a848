package io.pgshuttle.coordinator.deadletter;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Delivery;
import io.pgshuttle.amqp.QueueConsumer;
import io.pgshuttle.coordinator.broker.Broker;
import io.pgshuttle.coordinator.store.ArrivedDeadLetter;
import io.pgshuttle.coordinator.store.Database;
import io.pgshuttle.coordinator.store.DeadLetters;
import io.pgshuttle.messages.Topology;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes the requests' dead-letter queue into the store's dead-letter registry, acknowledging
 * each message only after its row is committed (a store failure requeues it). {@link
 * DeadLetterReader} makes the row, without the password. Thread-safe.
 */
@Singleton
public final class DeadLetterConsumer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DeadLetterConsumer.class);
  private static final int PREFETCH = 8;

  private final Broker broker;
  private final Topology topology;
  private final Database database;
  private final DeadLetters deadLetters;
  private final DeadLetterReader reader;
  private QueueConsumer consumer;

  @Inject
  public DeadLetterConsumer(
      Broker broker,
      Topology topology,
      Database database,
      DeadLetters deadLetters,
      DeadLetterReader reader) {
    this.broker = broker;
    this.topology = topology;
    this.database = database;
    this.deadLetters = deadLetters;
    this.reader = reader;
  }

  public synchronized void start() throws IOException {
    consumer =
        broker.consume(
            topology.requestsDeadLetterQueue(),
            PREFETCH,
            "pgshuttle-coordinator-dead-letters",
            this::handle);
  }

  private void handle(Channel channel, Delivery delivery) throws IOException {
    ArrivedDeadLetter arrived = reader.read(delivery.getProperties(), delivery.getBody());
    database.inTransaction(
        connection -> {
          deadLetters.record(connection, arrived);
          return null;
        });
    channel.basicAck(delivery.getEnvelope().getDeliveryTag(), false);
    log.info("recorded dead letter {} ({})", arrived.id(), arrived.reason());
  }

  @Override
  public synchronized void close() {
    if (consumer != null) {
      consumer.close();
      consumer = null;
    }
  }
}
