package io.pgshuttle.security;

import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.security.SignatureRefusedException.Reason;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;

/**
 * Event MAC headers for property-based tests: an event authenticated as its agent authenticates it
 * ({@link EventMacKey}), then given one {@link Fault} — headers missing, null or of another type, a
 * MAC truncated or flipped, agreed with another coordinator key, by another agent's key or for
 * another instance, the MAC of another event, huge values, a body changed afterwards. Each fault
 * says why the coordinator must refuse the event. Shared with other modules' tests through the
 * test-jar. Thread-safe when the {@link Random} passed in is used by one thread.
 */
public final class HostileMacs {
  /** What is done to an authenticated event, and the refusal it must meet. */
  public enum Fault {
    /** Authenticated as the agent does. */
    NONE(null),
    /** No headers, empty headers, or no MAC header. */
    UNSIGNED(Reason.UNSIGNED),
    /** The key id header removed. */
    KEY_ID_MISSING(Reason.BAD_SIGNATURE),
    /** A MAC header present with a null value (an AMQP void). */
    FIELD_NULL(Reason.BAD_SIGNATURE),
    /** The MAC as raw bytes or a list. */
    MAC_WRONG_TYPE(Reason.BAD_SIGNATURE),
    /** The key id as a number or a list: names no coordinator key. */
    KEY_ID_WRONG_TYPE(Reason.UNKNOWN_KEY),
    /** The MAC's text cut short, by more than its padding. */
    TRUNCATED_MAC(Reason.BAD_SIGNATURE),
    /** One bit of the MAC flipped. */
    FLIPPED_MAC(Reason.BAD_SIGNATURE),
    /** Agreed with a coordinator key the coordinator does not hold. */
    OTHER_COORDINATOR_KEY(Reason.UNKNOWN_KEY),
    /** Agreed by a key pair that is not the instance's registered one (another VM's). */
    OTHER_AGENT_KEY(Reason.BAD_SIGNATURE),
    /** Under the key of another instance (the same agent key, registered under another name). */
    OTHER_INSTANCE(Reason.BAD_SIGNATURE),
    /** The MAC headers of another event. */
    MAC_OF_ANOTHER(Reason.BAD_SIGNATURE),
    /** A key id of a megabyte. */
    HUGE_KEY_ID(Reason.UNKNOWN_KEY),
    /** A MAC of a megabyte. */
    HUGE_MAC(Reason.BAD_SIGNATURE),
    /** A space added to the body after the MAC: same event, other bytes. */
    BODY_CHANGED(Reason.BAD_SIGNATURE);

    private final Reason reason;

    Fault(Reason reason) {
      this.reason = reason;
    }

    /** Why the coordinator refuses an event with this fault; empty when it accepts it. */
    public Optional<Reason> refusal() {
      return Optional.ofNullable(reason);
    }
  }

  private static final int HUGE = 1 << 20;

  private final MessageCodec codec = new MessageCodec();
  private final KeyPair agent;
  private final PublicKey coordinator;
  private final KeyPair stranger = KeyAlgorithm.X25519.generate();
  private final PublicKey otherCoordinator = KeyAlgorithm.X25519.generate().getPublic();

  /**
   * @param agent the agent's X25519 pair, which the coordinator holds the public key of
   * @param coordinator the coordinator's X25519 public key
   */
  public HostileMacs(KeyPair agent, PublicKey coordinator) {
    this.agent = agent;
    this.coordinator = coordinator;
  }

  /**
   * {@code body} authenticated by the agent as the instance its message names (one that is none as
   * if it were vm-1's), and then given {@code fault}.
   */
  public HostileSignatures.Signed authenticate(byte[] body, Fault fault, Random random) {
    return authenticate(HostileSignatures.envelopeOf(codec, body), body, fault, random);
  }

  /** {@code envelope}, published as {@code body}, authenticated and then given {@code fault}. */
  public HostileSignatures.Signed authenticate(
      Envelope<?> envelope, byte[] body, Fault fault, Random random) {
    String instance = envelope.instanceId();
    Map<String, Object> headers =
        new HashMap<>(key(agent, coordinator, instance).authenticate(envelope, body));
    String mac = headers.get(EventMac.MAC).toString();
    switch (fault) {
      case NONE -> {}
      case UNSIGNED -> headers = HostileSignatures.unsigned(headers, EventMac.MAC, random);
      case KEY_ID_MISSING -> headers.remove(EventMac.KEY_ID);
      case FIELD_NULL -> {
        List<String> names = List.of(EventMac.KEY_ID, EventMac.MAC);
        headers.put(names.get(random.nextInt(names.size())), null);
      }
      case MAC_WRONG_TYPE -> {
        Object[] values = {Base64.getDecoder().decode(mac), List.of(mac)};
        headers.put(EventMac.MAC, values[random.nextInt(values.length)]);
      }
      case KEY_ID_WRONG_TYPE -> {
        Object[] values = {random.nextInt(), List.of(), Map.of("key", "value")};
        headers.put(EventMac.KEY_ID, values[random.nextInt(values.length)]);
      }
      case TRUNCATED_MAC -> headers.put(EventMac.MAC, HostileSignatures.truncated(mac, random));
      case FLIPPED_MAC -> headers.put(EventMac.MAC, HostileSignatures.flipped(mac, random));
      case OTHER_COORDINATOR_KEY ->
          headers =
              new HashMap<>(key(agent, otherCoordinator, instance).authenticate(envelope, body));
      case OTHER_AGENT_KEY ->
          headers =
              new HashMap<>(key(stranger, coordinator, instance).authenticate(envelope, body));
      case OTHER_INSTANCE -> {
        String other = instance.equals("vm-2") ? "vm-3" : "vm-2";
        headers =
            new HashMap<>(
                key(agent, coordinator, other)
                    .authenticate(copy(envelope, envelope.messageId(), other), body));
      }
      case MAC_OF_ANOTHER ->
          headers =
              new HashMap<>(
                  key(agent, coordinator, instance)
                      .authenticate(copy(envelope, UUID.randomUUID(), instance), body));
      case HUGE_KEY_ID -> headers.put(EventMac.KEY_ID, "a".repeat(HUGE));
      case HUGE_MAC -> headers.put(EventMac.MAC, "A".repeat(HUGE));
      case BODY_CHANGED -> {
        return new HostileSignatures.Signed(HostileSignatures.changed(body), headers);
      }
    }
    return new HostileSignatures.Signed(body, headers);
  }

  /** {@code envelope} with another message id and instance id. */
  private static Envelope<?> copy(Envelope<?> envelope, UUID messageId, String instance) {
    return new Envelope<>(
        messageId,
        instance,
        envelope.migrationId(),
        envelope.attempt(),
        envelope.seq(),
        envelope.emittedAt(),
        envelope.payload());
  }

  private static EventMacKey key(KeyPair agent, PublicKey coordinator, String instance) {
    return EventMacKey.forAgent(agent, coordinator, instance);
  }
}
