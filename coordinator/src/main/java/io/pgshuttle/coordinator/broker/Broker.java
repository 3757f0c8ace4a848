package io.pgshuttle.coordinator.broker;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.pgshuttle.amqp.AmqpConnector;
import io.pgshuttle.amqp.AmqpException;
import io.pgshuttle.amqp.ConfirmingPublisher;
import io.pgshuttle.amqp.QueueConsumer;
import io.pgshuttle.amqp.TopologyDeclarer;
import io.pgshuttle.coordinator.CoordinatorConfig;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.Topology;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;

/**
 * The coordinator's two broker connections, one to consume and one to publish (so that the broker
 * blocking publishers under memory pressure never stalls consumers), and the confirming publisher.
 * Nothing connects before {@link #open()}. Thread-safe.
 */
@Singleton
public final class Broker implements AutoCloseable {
  // As long as the agent waits: a coordinator (re)started while the broker restarts must not exit.
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration CONFIRM_TIMEOUT = Duration.ofSeconds(10);
  // One per publishing thread of the dispatch loop, and two for everything else (dead letters).
  private static final int PUBLISHING_CHANNELS = 6;

  private final CoordinatorConfig config;
  private final Topology topology;
  private final MessageCodec codec;
  private volatile Connection consuming;
  private volatile Connection publishing;
  private volatile ConfirmingPublisher publisher;
  private volatile String description = "(not connected)";
  private volatile String user;

  /** The consumers started on the consuming connection, for {@link #problem()}. */
  private final List<QueueConsumer> consumers = new CopyOnWriteArrayList<>();

  @Inject
  public Broker(CoordinatorConfig config, Topology topology, MessageCodec codec) {
    this.config = config;
    this.topology = topology;
    this.codec = codec;
  }

  /**
   * Connects, waiting up to a minute for the broker, and declares the coordinator's topology.
   * Idempotent.
   *
   * @throws AmqpException if the broker cannot be reached or refuses the topology
   * @throws IllegalArgumentException if the URI is not an AMQP URI
   */
  public synchronized void open() {
    if (publisher != null) {
      return;
    }
    AmqpConnector connector = new AmqpConnector(config.amqpUri(), CONNECT_TIMEOUT);
    description = connector.description();
    user = connector.user();
    consuming = connector.connect("pgshuttle-coordinator");
    publishing = connector.connect("pgshuttle-coordinator-publisher");
    try (Channel channel = consuming.createChannel()) {
      new TopologyDeclarer(topology).declareCoordinator(channel);
    } catch (IOException | TimeoutException e) {
      close();
      throw new AmqpException(
          "RabbitMQ at "
              + description
              + " refused the coordinator's queues and exchanges ("
              + e.getMessage()
              + "): a queue of the same name with other arguments may exist; delete it or choose"
              + " another namespace",
          e);
    }
    publisher =
        new ConfirmingPublisher(publishing, codec, CONFIRM_TIMEOUT, user, PUBLISHING_CHANNELS);
  }

  /** The broker user the coordinator connects as. */
  public String user() {
    return requireOpen(user);
  }

  /** A new channel on the consuming connection; the caller closes it. */
  public Channel openChannel() throws IOException {
    return requireOpen(consuming).createChannel();
  }

  /**
   * Starts consuming {@code queue} on the consuming connection, at most {@code prefetch}
   * unacknowledged at a time. Should the broker close the consumer's channel or delete the queue,
   * the consumer declares the coordinator's topology again and consumes on a new channel.
   */
  public QueueConsumer consume(
      String queue, int prefetch, String consumerTag, QueueConsumer.Handler handler)
      throws IOException {
    QueueConsumer consumer =
        QueueConsumer.start(
            requireOpen(consuming),
            queue,
            prefetch,
            consumerTag,
            new TopologyDeclarer(topology)::declareCoordinator,
            handler,
            QueueConsumer.FIRST_RETRY);
    consumers.add(consumer);
    return consumer;
  }

  public ConfirmingPublisher publisher() {
    return requireOpen(publisher);
  }

  /**
   * Why the broker cannot serve now, for a health check: a connection down, or a queue that a
   * consumer does not consume since the broker stopped it. Empty when all is well.
   */
  public Optional<String> problem() {
    Connection consumer = consuming;
    Connection producer = publishing;
    if (consumer == null || producer == null) {
      return Optional.of("not connected to RabbitMQ");
    }
    if (!consumer.isOpen() || !producer.isOpen()) {
      return Optional.of("the connection to RabbitMQ at " + description + " is down");
    }
    List<String> stopped = new ArrayList<>();
    for (QueueConsumer started : consumers) {
      started.problem().ifPresent(stopped::add);
    }
    return stopped.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", stopped));
  }

  @Override
  public synchronized void close() {
    if (publisher != null) {
      publisher.close();
      publisher = null;
    }
    consumers.clear();
    closeQuietly(publishing);
    closeQuietly(consuming);
    publishing = null;
    consuming = null;
  }

  private static <T> T requireOpen(T part) {
    if (part == null) {
      throw new IllegalStateException("not connected to RabbitMQ: call open() first");
    }
    return part;
  }

  private static void closeQuietly(Connection connection) {
    if (connection != null && connection.isOpen()) {
      try {
        connection.close();
      } catch (IOException | com.rabbitmq.client.AlreadyClosedException e) {
        // Closing is best effort: the broker may be gone already.
      }
    }
  }
}
