package io.pgshuttle.coordinator.events;

import io.pgshuttle.messages.Envelope;
import io.pgshuttle.security.AgentKeyDirectory;
import io.pgshuttle.security.EventMac;
import io.pgshuttle.security.EventMacKey;
import io.pgshuttle.security.KeyAlgorithm;
import io.pgshuttle.security.KeyFileException;
import io.pgshuttle.security.KeyId;
import io.pgshuttle.security.MessageSigner;
import io.pgshuttle.security.MessageVerifier;
import io.pgshuttle.security.SignatureRefusedException;
import io.pgshuttle.security.SignatureRefusedException.Reason;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Checks that an event comes from the instance it names: its MAC ({@link EventMac}) made with the
 * key the instance's registered X25519 key agrees with one of the coordinator's event keys ({@link
 * EventMacKey}, {@link CoordinatorEventKeys}), or, for the events the coordinator publishes itself,
 * its own Ed25519 signature. An event's age is not checked: events may wait out a coordinator
 * outage.
 *
 * <p>Derived keys are cached per instance (at most {@link #CACHE_SIZE} instances, least recently
 * used out first), per coordinator key. An instance's key file is looked at again (its {@link
 * AgentKeyDirectory.Version}, without reading it) at most every {@link #RECHECK}, and read again
 * when a MAC does not match: a key replaced in the directory is used from the first event MACed
 * with it, and the replaced key is refused within a second. Thread-safe.
 */
@Singleton
public final class EventSignatures {
  /** Most instances whose keys are kept; a fleet larger than this derives some keys again. */
  static final int CACHE_SIZE = 20_000;

  /** How long an instance's key file is trusted unchanged without looking at it. */
  static final Duration RECHECK = Duration.ofSeconds(1);

  /** An instance's registered key, and the MAC keys agreed with it. */
  private record Registered(
      PublicKey agentKey,
      Optional<AgentKeyDirectory.Version> version,
      long checkedAtNanos,
      Map<KeyId, EventMacKey> derived) {
    Registered checkedAt(long nanos) {
      return new Registered(agentKey, version, nanos, derived);
    }
  }

  private final AgentKeyDirectory agentKeys;
  private final Provider<CoordinatorEventKeys> eventKeys;
  private final Provider<MessageSigner> coordinatorSigner;
  private final LongSupplier nanoTime;
  private final Map<String, Registered> registered =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Registered> eldest) {
          return size() > CACHE_SIZE;
        }
      };

  /**
   * @param eventKeys read on first use, so that wiring reads no key file
   * @param coordinatorSigner read on first use likewise
   */
  @Inject
  public EventSignatures(
      AgentKeyDirectory agentKeys,
      Provider<CoordinatorEventKeys> eventKeys,
      Provider<MessageSigner> coordinatorSigner) {
    this(agentKeys, eventKeys, coordinatorSigner, System::nanoTime);
  }

  /**
   * @param nanoTime a monotonic clock, as {@link System#nanoTime()}
   */
  EventSignatures(
      AgentKeyDirectory agentKeys,
      Provider<CoordinatorEventKeys> eventKeys,
      Provider<MessageSigner> coordinatorSigner,
      LongSupplier nanoTime) {
    this.agentKeys = agentKeys;
    this.eventKeys = eventKeys;
    this.coordinatorSigner = coordinatorSigner;
    this.nanoTime = nanoTime;
  }

  /**
   * Verifies {@code event}, received as {@code body} with {@code headers}.
   *
   * @throws SignatureRefusedException saying why the event must not be folded
   */
  public void verify(Envelope<?> event, byte[] body, Map<String, Object> headers) {
    String instance = event.instanceId();
    Registered known = registered(instance, false);
    Optional<EventMac> mac = EventMac.fromHeaders(headers);
    if (mac.isEmpty()) {
      // Not from an agent: only the coordinator's own events are signed instead.
      new MessageVerifier(List.of(coordinatorSigner.get().publicKey()), Clock.systemUTC())
          .verify(event, body, headers, false);
      return;
    }
    KeyId coordinatorKeyId = mac.get().coordinatorKeyId();
    KeyPair coordinator =
        eventKeys
            .get()
            .find(coordinatorKeyId)
            .orElseThrow(
                () ->
                    new SignatureRefusedException(
                        Reason.UNKNOWN_KEY,
                        "MAC agreed with coordinator event key "
                            + abbreviated(coordinatorKeyId)
                            + ", which is not one of this coordinator's ("
                            + eventKeys.get().ids()
                            + "): give the agent this coordinator's key in"
                            + " agent.coordinatorEventKey, or add its pair to"
                            + " coordinator.eventKeys"));
    if (key(known, instance, coordinatorKeyId, coordinator).matches(event, body, mac.get())) {
      return;
    }
    // Perhaps the instance's key was replaced since it was read: read it again.
    Registered fresh = registered(instance, true);
    if (fresh.agentKey().equals(known.agentKey())
        || !key(fresh, instance, coordinatorKeyId, coordinator).matches(event, body, mac.get())) {
      throw new SignatureRefusedException(
          Reason.BAD_SIGNATURE,
          "the MAC does not match the event: it was altered, or not made with instance "
              + instance
              + "'s registered key");
    }
  }

  /** The instance's registered key: cached, looked at after {@link #RECHECK}, or read anew. */
  private Registered registered(String instance, boolean read) {
    long now = nanoTime.getAsLong();
    Registered cached;
    synchronized (registered) {
      cached = registered.get(instance);
    }
    if (cached != null && !read && now - cached.checkedAtNanos() < RECHECK.toNanos()) {
      return cached;
    }
    Registered current;
    try {
      current = lookUp(instance, cached, read, now);
    } catch (SignatureRefusedException e) {
      synchronized (registered) {
        registered.remove(instance);
      }
      throw e;
    }
    synchronized (registered) {
      registered.put(instance, current);
    }
    return current;
  }

  private Registered lookUp(String instance, Registered cached, boolean read, long now) {
    try {
      Optional<AgentKeyDirectory.Version> version =
          agentKeys.version(instance, KeyAlgorithm.X25519);
      if (cached != null && !read && version.isPresent() && version.equals(cached.version())) {
        return cached.checkedAt(now);
      }
      PublicKey key =
          agentKeys
              .find(instance, KeyAlgorithm.X25519)
              .orElseThrow(
                  () ->
                      new SignatureRefusedException(
                          Reason.UNKNOWN_KEY,
                          "instance "
                              + instance
                              + " has no registered X25519 key: "
                              + agentKeys.howToRegister(instance)));
      return cached != null && cached.agentKey().equals(key)
          ? new Registered(key, version, now, cached.derived())
          : new Registered(key, version, now, new ConcurrentHashMap<>());
    } catch (KeyFileException e) {
      throw new SignatureRefusedException(Reason.UNKNOWN_KEY, e.getMessage());
    }
  }

  private static EventMacKey key(
      Registered known, String instance, KeyId coordinatorKeyId, KeyPair coordinator) {
    return known
        .derived()
        .computeIfAbsent(
            coordinatorKeyId,
            id -> {
              try {
                return EventMacKey.forCoordinator(coordinator, known.agentKey(), instance);
              } catch (IllegalArgumentException e) {
                throw new SignatureRefusedException(Reason.UNKNOWN_KEY, e.getMessage());
              }
            });
  }

  /** A key id as a message shows it: a header may hold a megabyte. */
  private static String abbreviated(KeyId keyId) {
    String value = keyId.value();
    return value.length() <= 64 ? value : value.substring(0, 64) + "…";
  }
}
