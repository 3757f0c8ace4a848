package io.pgshuttle.coordinator.events;

import io.pgshuttle.messages.Envelope;
import io.pgshuttle.security.AgentKeyDirectory;
import io.pgshuttle.security.KeyAlgorithm;
import io.pgshuttle.security.KeyFileException;
import io.pgshuttle.security.MessageSigner;
import io.pgshuttle.security.MessageVerifier;
import io.pgshuttle.security.SignatureRefusedException;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;
import java.security.PublicKey;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks that an event comes from the instance it names: signed by that instance's registered
 * Ed25519 key (see {@link AgentKeyDirectory}), or by the coordinator's own key (the events it
 * publishes itself). An event's expiry is not checked: events may wait out a coordinator outage.
 * Each instance's key is read once and read again when a signature fails, so that a key registered
 * or replaced meanwhile is seen without a restart. Thread-safe.
 */
@Singleton
public final class EventSignatures {
  private final AgentKeyDirectory agentKeys;
  private final Provider<MessageSigner> coordinatorSigner;
  private final Map<String, MessageVerifier> verifiers = new ConcurrentHashMap<>();

  /**
   * @param coordinatorSigner read on first use, so that wiring reads no key file
   */
  @Inject
  public EventSignatures(AgentKeyDirectory agentKeys, Provider<MessageSigner> coordinatorSigner) {
    this.agentKeys = agentKeys;
    this.coordinatorSigner = coordinatorSigner;
  }

  /**
   * Verifies {@code event}, received as {@code body} with {@code headers}.
   *
   * @throws SignatureRefusedException saying why the event must not be folded
   */
  public void verify(Envelope<?> event, byte[] body, Map<String, Object> headers) {
    String instance = event.instanceId();
    MessageVerifier cached = verifiers.get(instance);
    if (cached != null) {
      try {
        cached.verify(event, body, headers, false);
        return;
      } catch (SignatureRefusedException e) {
        // Perhaps the instance's key was replaced: read it again below.
      }
    }
    MessageVerifier fresh = load(instance);
    fresh.verify(event, body, headers, false);
    verifiers.put(instance, fresh);
  }

  private MessageVerifier load(String instance) {
    try {
      PublicKey agentKey =
          agentKeys
              .find(instance, KeyAlgorithm.ED25519)
              .orElseThrow(
                  () ->
                      new SignatureRefusedException(
                          SignatureRefusedException.Reason.UNKNOWN_KEY,
                          "instance "
                              + instance
                              + " has no registered Ed25519 key: "
                              + agentKeys.howToRegister(instance)));
      return new MessageVerifier(
          List.of(agentKey, coordinatorSigner.get().publicKey()), Clock.systemUTC());
    } catch (KeyFileException e) {
      throw new SignatureRefusedException(
          SignatureRefusedException.Reason.UNKNOWN_KEY, e.getMessage());
    }
  }
}
