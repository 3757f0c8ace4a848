package io.pgshuttle.coordinator.events;

import io.pgshuttle.security.KeyId;
import java.security.KeyPair;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The coordinator's X25519 key pairs with which agents' event MAC keys are agreed ({@code
 * coordinator.eventKeys}): one, or two during a rotation, either accepted. Immutable, thread-safe.
 */
public final class CoordinatorEventKeys {
  private final Map<KeyId, KeyPair> pairs = new LinkedHashMap<>();

  public CoordinatorEventKeys(List<KeyPair> pairs) {
    for (KeyPair pair : pairs) {
      this.pairs.put(KeyId.of(pair.getPublic()), pair);
    }
  }

  /** The pair whose public key has id {@code keyId}; empty when it is none of these. */
  public Optional<KeyPair> find(KeyId keyId) {
    return Optional.ofNullable(pairs.get(keyId));
  }

  /** The ids of the pairs, for a message. */
  public String ids() {
    return pairs.keySet().toString();
  }
}
