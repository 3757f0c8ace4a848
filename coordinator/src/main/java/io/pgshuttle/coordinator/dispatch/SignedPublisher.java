package io.pgshuttle.coordinator.dispatch;

import io.pgshuttle.amqp.ConfirmingPublisher;
import io.pgshuttle.amqp.PublishOutcome;
import io.pgshuttle.coordinator.broker.Broker;
import io.pgshuttle.messages.Command;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.security.MessageSigner;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import java.util.ArrayList;
import java.util.List;

/**
 * Publishes what the coordinator sends, each message signed with the coordinator's key (the
 * signature travels in AMQP headers, see {@link io.pgshuttle.security.MessageSignature}), with
 * publisher confirms: commands to an agent (mandatory; an agent refuses any command that did not
 * come through here) and the coordinator's own events. Thread-safe.
 */
public final class SignedPublisher {
  private final Broker broker;
  private final MessageCodec codec;
  private final Provider<MessageSigner> signer;

  /**
   * @param signer read on first use, so that wiring reads no key file
   */
  @Inject
  public SignedPublisher(Broker broker, MessageCodec codec, Provider<MessageSigner> signer) {
    this.broker = broker;
    this.codec = codec;
    this.signer = signer;
  }

  /**
   * Signs {@code command} now and publishes it, mandatory, to {@code exchange} with the instance id
   * as routing key.
   *
   * @throws io.pgshuttle.amqp.AmqpException if the broker did not confirm
   */
  public PublishOutcome publishCommand(String exchange, Envelope<? extends Command> command) {
    return publishAll(List.of(Outbound.command(exchange, command))).get(0);
  }

  /**
   * Signs {@code event} now and publishes it to {@code exchange}.
   *
   * @throws io.pgshuttle.amqp.AmqpException if the broker did not confirm
   */
  public void publishEvent(String exchange, String routingKey, Envelope<? extends Event> event) {
    publishAll(List.of(new Outbound(exchange, routingKey, event, false)));
  }

  /**
   * Signs each message now, publishes them all in order and waits once for their confirms; all or
   * nothing, see {@link ConfirmingPublisher#publishAll}.
   *
   * @return each message's outcome, in the same order
   * @throws io.pgshuttle.amqp.AmqpException if the broker did not confirm every message
   */
  public List<PublishOutcome> publishAll(List<Outbound> messages) {
    MessageSigner signing = signer.get();
    List<ConfirmingPublisher.Outgoing> outgoing = new ArrayList<>(messages.size());
    for (Outbound message : messages) {
      byte[] body = codec.encode(message.envelope());
      outgoing.add(
          new ConfirmingPublisher.Outgoing(
              message.exchange(),
              message.routingKey(),
              message.envelope(),
              body,
              message.mandatory(),
              signing.sign(message.envelope(), body)));
    }
    return broker.publisher().publishAll(outgoing);
  }

  /**
   * A message the coordinator sends, not yet signed. Immutable.
   *
   * @param mandatory whether a message no queue takes comes back as {@link
   *     PublishOutcome#UNROUTABLE}
   */
  public record Outbound(
      String exchange, String routingKey, Envelope<?> envelope, boolean mandatory) {
    /** A command to an agent: mandatory, routed by its instance id. */
    public static Outbound command(String exchange, Envelope<? extends Command> command) {
      return new Outbound(exchange, command.instanceId(), command, true);
    }
  }
}
