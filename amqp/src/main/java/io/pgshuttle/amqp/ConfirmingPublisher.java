package io.pgshuttle.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.MessageCodec;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Date;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeoutException;

/**
 * Publishes envelopes persistently and waits for the broker's confirm, telling a routed message
 * from one no queue took. Thread-safe: each publish (or batch) has a channel of its own for its
 * duration, from a pool of at most {@code channels}; a caller beyond that waits for one. A channel
 * the broker closed is replaced.
 */
public final class ConfirmingPublisher implements AutoCloseable {
  private final Connection connection;
  private final MessageCodec codec;
  private final Duration confirmTimeout;
  private final String userId;
  private final Set<String> returnedMessageIds = ConcurrentHashMap.newKeySet();
  private final Semaphore channelsFree;
  private final Deque<Channel> idle = new ArrayDeque<>(); // guarded by this
  private boolean closed; // guarded by this

  /** A publisher on one channel: publishes wait for each other. */
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
    this(connection, codec, confirmTimeout, userId, 1);
  }

  /**
   * @param channels how many publishes (or batches) may wait for their confirms at once, each on a
   *     channel of its own; at least 1
   */
  public ConfirmingPublisher(
      Connection connection,
      MessageCodec codec,
      Duration confirmTimeout,
      String userId,
      int channels) {
    if (channels < 1) {
      throw new IllegalArgumentException("channels must be at least 1, not " + channels);
    }
    this.connection = connection;
    this.codec = codec;
    this.confirmTimeout = confirmTimeout;
    this.userId = userId;
    this.channelsFree = new Semaphore(channels);
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
  public PublishOutcome publish(
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
  public PublishOutcome publish(
      String exchange,
      String routingKey,
      Envelope<?> envelope,
      byte[] body,
      boolean mandatory,
      Map<String, Object> headers) {
    return publishAll(
            List.of(new Outgoing(exchange, routingKey, envelope, body, mandatory, headers)))
        .get(0);
  }

  /**
   * An envelope to publish with {@link #publishAll}. Immutable apart from {@code body}, which the
   * caller must not change.
   *
   * @param body the envelope's encoding, already made (a signature may depend on the exact bytes)
   * @param mandatory whether an unroutable message comes back as {@link PublishOutcome#UNROUTABLE}
   * @param headers extra headers, may be empty, not null
   */
  public record Outgoing(
      String exchange,
      String routingKey,
      Envelope<?> envelope,
      byte[] body,
      boolean mandatory,
      Map<String, Object> headers) {}

  /**
   * Publishes {@code messages} in their order on one channel and waits once for all their confirms
   * (a confirm window as wide as the list), so a batch costs one round trip, not one per message.
   * All or nothing: if any message is nacked, or the broker does not confirm them all within the
   * timeout, or closes the channel meanwhile, this throws and the caller must take none of them as
   * published (some may have reached a queue: publishing them again is at least once).
   *
   * @return the outcome of each message, in the same order
   * @throws AmqpException if the broker did not confirm every message
   */
  public List<PublishOutcome> publishAll(List<Outgoing> messages) {
    if (messages.isEmpty()) {
      return List.of();
    }
    List<String> messageIds = new ArrayList<>(messages.size());
    for (Outgoing message : messages) {
      messageIds.add(message.envelope().messageId().toString());
    }
    String exchange = messages.get(0).exchange();
    boolean confirmed = false;
    try {
      confirmed(
          exchange,
          channel -> {
            for (Outgoing message : messages) {
              channel.basicPublish(
                  message.exchange(),
                  message.routingKey(),
                  message.mandatory(),
                  properties(message.envelope(), message.headers()),
                  message.body());
            }
          });
      confirmed = true;
    } finally {
      if (!confirmed) {
        // A return of an unconfirmed batch must not mark the same message id when it is
        // published again.
        returnedMessageIds.removeAll(messageIds);
      }
    }
    List<PublishOutcome> outcomes = new ArrayList<>(messages.size());
    for (String messageId : messageIds) {
      outcomes.add(
          returnedMessageIds.remove(messageId) ? PublishOutcome.UNROUTABLE : PublishOutcome.ROUTED);
    }
    return outcomes;
  }

  private AMQP.BasicProperties properties(Envelope<?> envelope, Map<String, Object> headers) {
    return new AMQP.BasicProperties.Builder()
        .contentType("application/json")
        .deliveryMode(2)
        .messageId(envelope.messageId().toString())
        .type(envelope.type())
        .timestamp(Date.from(envelope.emittedAt()))
        .userId(userId)
        .headers(new HashMap<>(headers))
        .build();
  }

  /**
   * Publishes bytes that are not (or no longer) a valid envelope, such as a dead letter. The
   * properties must carry a message id if {@code mandatory} is to be told apart.
   */
  public PublishOutcome publishRaw(
      String exchange,
      String routingKey,
      AMQP.BasicProperties properties,
      byte[] body,
      boolean mandatory) {
    confirmed(
        exchange,
        channel -> channel.basicPublish(exchange, routingKey, mandatory, properties, body));
    String messageId = properties.getMessageId();
    return messageId != null && returnedMessageIds.remove(messageId)
        ? PublishOutcome.UNROUTABLE
        : PublishOutcome.ROUTED;
  }

  /** Publishing on a confirming channel. */
  @FunctionalInterface
  private interface Publishing {
    void publishOn(Channel channel) throws IOException;
  }

  /**
   * Runs {@code publishing} on a channel of its own and waits until the broker confirmed all it
   * published.
   */
  private void confirmed(String exchange, Publishing publishing) {
    Channel channel = null;
    boolean confirmed = false;
    try {
      channelsFree.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AmqpException("interrupted while waiting for a channel to publish on", e);
    }
    try {
      channel = takeChannel();
      publishing.publishOn(channel);
      channel.waitForConfirmsOrDie(confirmTimeout.toMillis());
      confirmed = true;
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
    } finally {
      giveBack(channel, confirmed);
      channelsFree.release();
    }
  }

  /** An open idle channel, or a new one. */
  private Channel takeChannel() throws IOException {
    synchronized (this) {
      if (closed) {
        throw new AmqpException("the publisher is closed");
      }
      while (!idle.isEmpty()) {
        Channel channel = idle.pop();
        if (channel.isOpen()) {
          return channel;
        }
      }
    }
    Channel channel = connection.createChannel();
    channel.confirmSelect();
    // Returns arrive on the connection thread before the confirm of the same message.
    channel.addReturnListener(
        returned -> {
          String id = returned.getProperties().getMessageId();
          if (id != null) {
            returnedMessageIds.add(id);
          }
        });
    return channel;
  }

  /**
   * Keeps {@code channel} for the next publish if all it published was confirmed; else closes it,
   * so that what it left unconfirmed never counts against another publish's wait.
   */
  private void giveBack(Channel channel, boolean confirmed) {
    if (channel == null) {
      return;
    }
    synchronized (this) {
      if (confirmed && !closed && channel.isOpen()) {
        idle.push(channel);
        return;
      }
    }
    closeQuietly(channel);
  }

  /** Closes the idle channels; a channel in use is closed when its publish ends. Idempotent. */
  @Override
  public synchronized void close() {
    closed = true;
    while (!idle.isEmpty()) {
      closeQuietly(idle.pop());
    }
  }

  private static void closeQuietly(Channel channel) {
    if (channel.isOpen()) {
      try {
        channel.close();
      } catch (IOException | TimeoutException | com.rabbitmq.client.AlreadyClosedException e) {
        // Closing is best effort: the connection may be gone already.
      }
    }
  }
}
