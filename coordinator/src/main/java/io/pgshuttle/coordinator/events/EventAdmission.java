package io.pgshuttle.coordinator.events;

import io.pgshuttle.amqp.BrokerGrants;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MessageDecodingException;
import io.pgshuttle.security.SignatureRefusedException;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Map;

/**
 * Decides whether an event delivery may be folded, before anything else looks at it: its body must
 * decode as an event, its AMQP user-id must be its instance's agent or the coordinator ({@link
 * BrokerGrants#isTrustedEventPublisher}), and it must carry the MAC of its instance's key, or the
 * coordinator's signature ({@link EventSignatures}), checked in that order. Changes nothing but
 * {@link EventSignatures}' cache of keys. Thread-safe.
 */
@Singleton
public final class EventAdmission {
  /** What became of a delivery. */
  public sealed interface Verdict permits Admitted, Unreadable, UntrustedPublisher, Unsigned {}

  /** The event may be folded. */
  public record Admitted(Envelope<Event> envelope) implements Verdict {}

  /** The body is no event: {@code detail} says why. */
  public record Unreadable(String detail) implements Verdict {}

  /** Published by a broker user that may not speak for the event's instance; userId may be null. */
  public record UntrustedPublisher(Envelope<Event> envelope, String userId) implements Verdict {}

  /** Neither MACed with the instance's key nor signed by the coordinator. */
  public record Unsigned(Envelope<Event> envelope, SignatureRefusedException refusal)
      implements Verdict {}

  private final MessageCodec codec;
  private final EventSignatures signatures;

  @Inject
  public EventAdmission(MessageCodec codec, EventSignatures signatures) {
    this.codec = codec;
    this.signatures = signatures;
  }

  /**
   * Judges a delivery.
   *
   * @param userId the delivery's AMQP user-id; may be null
   * @param coordinatorUser the coordinator's own broker user, which may publish any instance's
   *     events
   * @param headers the delivery's headers; may be null
   */
  public Verdict admit(
      byte[] body, String userId, String coordinatorUser, Map<String, Object> headers) {
    Envelope<Event> envelope;
    try {
      envelope = codec.decode(body, Event.class);
    } catch (MessageDecodingException e) {
      return new Unreadable(e.getMessage());
    }
    if (!BrokerGrants.isTrustedEventPublisher(userId, envelope.instanceId(), coordinatorUser)) {
      return new UntrustedPublisher(envelope, userId);
    }
    try {
      signatures.verify(envelope, body, headers);
    } catch (SignatureRefusedException e) {
      return new Unsigned(envelope, e);
    }
    return new Admitted(envelope);
  }
}
