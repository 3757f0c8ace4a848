package io.pgshuttle.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.MessageCodec;
import java.io.IOException;
import java.time.Duration;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

/**
 * Publishes envelopes persistently and waits for the broker's confirm, telling a routed message
 * from one no queue took. Thread-safe: publishes are serialized on one channel, which is reopened
 * if the broker closed it.
 */
public final class ConfirmingPublisher implements AutoCloseable {
  private final Connection connection;
  private final MessageCodec codec;
  private final Duration confirmTimeout;
  private final String userId;
  private final Set<String> returnedMessageIds = ConcurrentHashMap.newKeySet();
  private Channel channel;

  public ConfirmingPublisher(Connection connection, MessageCodec codec, Duration confirmTimeout) {
    this(connection, codec, confirmTimeout, null);
  }

  /**
   * @param userId the broker user of {@code connection}, set as the {@code user-id} of every
   *     envelope published, which the broker refuses unless it is the connection's user (so a
   *     consumer knows who published); null sets none
   */
  public ConfirmingPublisher(
      Connection connection, MessageCodec codec, Duration confirmTimeout, String userId) {
    this.connection = connection;
    this.codec = codec;
    this.confirmTimeout = confirmTimeout;
    this.userId = userId;
  }

  /**
   * Publishes {@code envelope} and waits for its confirm.
   *
   * @param mandatory whether an unroutable message should come back as {@link
   *     PublishOutcome#UNROUTABLE}; without it an unroutable message is dropped and reported {@link
   *     PublishOutcome#ROUTED}
   * @param headers extra headers, may be empty
   * @throws AmqpException if the broker did not confirm within the timeout, or nacked
   */
  public synchronized PublishOutcome publish(
      String exchange,
      String routingKey,
      Envelope<?> envelope,
      boolean mandatory,
      Map<String, Object> headers) {
    return publish(exchange, routingKey, envelope, codec.encode(envelope), mandatory, headers);
  }

  /**
   * As {@link #publish(String, String, Envelope, boolean, Map)}, with {@code body}, the envelope's
   * encoding, already made: for a caller whose headers depend on the exact bytes, such as a
   * signature.
   */
  public synchronized PublishOutcome publish(
      String exchange,
      String routingKey,
      Envelope<?> envelope,
      byte[] body,
      boolean mandatory,
      Map<String, Object> headers) {
    String messageId = envelope.messageId().toString();
    AMQP.BasicProperties properties =
        new AMQP.BasicProperties.Builder()
            .contentType("application/json")
            .deliveryMode(2)
            .messageId(messageId)
            .type(envelope.type())
            .timestamp(Date.from(envelope.emittedAt()))
            .userId(userId)
            .headers(new HashMap<>(headers))
            .build();
    return publishRaw(exchange, routingKey, properties, body, mandatory);
  }

  /**
   * Publishes bytes that are not (or no longer) a valid envelope, such as a dead letter. The
   * properties must carry a message id if {@code mandatory} is to be told apart.
   */
  public synchronized PublishOutcome publishRaw(
      String exchange,
      String routingKey,
      AMQP.BasicProperties properties,
      byte[] body,
      boolean mandatory) {
    try {
      Channel channel = channel();
      channel.basicPublish(exchange, routingKey, mandatory, properties, body);
      channel.waitForConfirmsOrDie(confirmTimeout.toMillis());
    } catch (IOException | TimeoutException | ShutdownSignalException e) {
      // A channel the broker closed (say, a publish to a missing exchange) surfaces as a
      // shutdown signal: to callers it is the same passing broker trouble.
      throw new AmqpException(
          "RabbitMQ did not confirm a publish to '"
              + exchange
              + "' within "
              + confirmTimeout
              + ": "
              + e.getMessage(),
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AmqpException("interrupted while waiting for a publish confirm", e);
    }
    String messageId = properties.getMessageId();
    return messageId != null && returnedMessageIds.remove(messageId)
        ? PublishOutcome.UNROUTABLE
        : PublishOutcome.ROUTED;
  }

  private Channel channel() throws IOException {
    if (channel == null || !channel.isOpen()) {
      channel = connection.createChannel();
      channel.confirmSelect();
      // Returns arrive on the connection thread before the confirm of the same message.
      channel.addReturnListener(
          returned -> {
            String id = returned.getProperties().getMessageId();
            if (id != null) {
              returnedMessageIds.add(id);
            }
          });
    }
    return channel;
  }

  @Override
  public synchronized void close() {
    if (channel != null && channel.isOpen()) {
      try {
        channel.close();
      } catch (IOException | TimeoutException | com.rabbitmq.client.AlreadyClosedException e) {
        // Closing is best effort: the connection may be gone already.
      }
    }
  }
}
