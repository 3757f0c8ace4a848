package io.pgshuttle.coordinator;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.Topology;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** A subscriber of its own on the events exchange, as any observer may bind one. */
final class EventTap implements AutoCloseable {
  private final Channel channel;
  private final String queue;
  private final MessageCodec codec;
  private final List<Envelope<Event>> seen = new ArrayList<>();

  EventTap(Connection connection, Topology topology, MessageCodec codec) throws Exception {
    this.codec = codec;
    this.channel = connection.createChannel();
    this.queue = channel.queueDeclare().getQueue();
    channel.queueBind(queue, topology.eventsExchange(), "#");
  }

  /** The first event matching {@code wanted}, waiting up to {@code timeout}. */
  Envelope<Event> await(Predicate<Envelope<Event>> wanted, Duration timeout) throws Exception {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      for (Envelope<Event> envelope : seen) {
        if (wanted.test(envelope)) {
          return envelope;
        }
      }
      GetResponse response = channel.basicGet(queue, true);
      if (response == null) {
        Thread.sleep(50);
      } else {
        seen.add(codec.decode(response.getBody(), Event.class));
      }
    }
    throw new AssertionError("no matching event within " + timeout + "; saw " + seen);
  }

  @Override
  public void close() throws Exception {
    if (channel.isOpen()) {
      channel.close();
    }
  }
}
