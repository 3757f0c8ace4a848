package io.pgshuttle.coordinator.dispatch;

import io.pgshuttle.amqp.PublishOutcome;
import io.pgshuttle.coordinator.broker.Broker;
import io.pgshuttle.messages.Command;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.security.MessageSigner;
import jakarta.inject.Inject;
import jakarta.inject.Provider;

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
    return publish(exchange, command.instanceId(), command, true);
  }

  /**
   * Signs {@code event} now and publishes it to {@code exchange}.
   *
   * @throws io.pgshuttle.amqp.AmqpException if the broker did not confirm
   */
  public void publishEvent(String exchange, String routingKey, Envelope<? extends Event> event) {
    publish(exchange, routingKey, event, false);
  }

  private PublishOutcome publish(
      String exchange, String routingKey, Envelope<?> envelope, boolean mandatory) {
    byte[] body = codec.encode(envelope);
    return broker
        .publisher()
        .publish(
            exchange, routingKey, envelope, body, mandatory, signer.get().sign(envelope, body));
  }
}
