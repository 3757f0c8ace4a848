package io.pgshuttle.security;

import io.pgshuttle.messages.Envelope;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The key one agent shares with the coordinator to authenticate its events, agreed without any
 * exchange: X25519 of the agent's key pair with the coordinator's event key (each side holds its
 * own private key and the other's public key), then HKDF-SHA256 salted with both public keys and
 * bound to a version label, the instance id and the coordinator key's id. Both sides derive the
 * same key; another instance or another coordinator key gives another. An event's MAC is
 * HMAC-SHA256 over the fields a signature covers ({@link SignedFields}, without the validity: an
 * event's age is not checked) with the SHA-256 of its bytes, and is checked in constant time.
 *
 * <p>The key never leaves this object: {@link #toString()} names the instance and the coordinator
 * key only. Immutable and thread-safe (each MAC uses a {@link Mac} of its own, a clone of one keyed
 * once: a new Mac for each event, looked up and keyed, was a tenth of the cost of checking one).
 */
public final class EventMacKey {
  private static final String HMAC = "HmacSHA256";
  private static final String VERSION = "pgshuttle-event-mac-v1";
  private static final int MAC_BYTES = 32;

  private final String instanceId;
  private final KeyId coordinatorKeyId;
  private final SecretKeySpec key;

  /** Keyed with {@link #key} and never used itself: each MAC is made by a clone of it. */
  private final Mac keyed;

  private EventMacKey(String instanceId, KeyId coordinatorKeyId, byte[] key) {
    this.instanceId = instanceId;
    this.coordinatorKeyId = coordinatorKeyId;
    this.key = new SecretKeySpec(key, HMAC);
    this.keyed = keyedMac(this.key);
  }

  /**
   * The agent's side: its X25519 {@code agent} pair and the coordinator's X25519 public key.
   *
   * @throws IllegalArgumentException if the keys do not agree (not X25519, or of low order)
   */
  public static EventMacKey forAgent(KeyPair agent, PublicKey coordinator, String instanceId) {
    return derive(agent.getPrivate(), coordinator, agent.getPublic(), coordinator, instanceId);
  }

  /**
   * The coordinator's side: its X25519 {@code coordinator} pair and the agent's X25519 public key,
   * as registered for {@code instanceId}.
   *
   * @throws IllegalArgumentException if the keys do not agree (not X25519, or of low order)
   */
  public static EventMacKey forCoordinator(
      KeyPair coordinator, PublicKey agent, String instanceId) {
    return derive(coordinator.getPrivate(), agent, agent, coordinator.getPublic(), instanceId);
  }

  private static EventMacKey derive(
      PrivateKey own, PublicKey other, PublicKey agent, PublicKey coordinator, String instanceId) {
    Objects.requireNonNull(instanceId, "instanceId");
    KeyId coordinatorKeyId = KeyId.of(coordinator);
    byte[] info = SignedFields.canonical(List.of(VERSION, instanceId, coordinatorKeyId.value()));
    try {
      return new EventMacKey(
          instanceId,
          coordinatorKeyId,
          KeyDerivation.agree(own, other, KeyDerivation.salt(agent, coordinator), info));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "cannot agree an event key for instance "
              + instanceId
              + " with coordinator key "
              + coordinatorKeyId
              + ": both must be X25519 keys ("
              + e.getClass().getSimpleName()
              + ")");
    }
  }

  /** The instance whose events this key authenticates. */
  public String instanceId() {
    return instanceId;
  }

  /** The id of the coordinator's X25519 key this key was agreed with. */
  public KeyId coordinatorKeyId() {
    return coordinatorKeyId;
  }

  /**
   * The MAC of {@code envelope}, published as {@code body}.
   *
   * @return the AMQP headers to publish it with
   * @throws IllegalArgumentException if the event names another instance than this key's
   */
  public Map<String, Object> authenticate(Envelope<?> envelope, byte[] body) {
    if (!instanceId.equals(envelope.instanceId())) {
      throw new IllegalArgumentException(
          "the event key of instance "
              + instanceId
              + " cannot authenticate an event of instance "
              + envelope.instanceId());
    }
    return new EventMac(coordinatorKeyId, Base64.getEncoder().encodeToString(mac(envelope, body)))
        .toHeaders();
  }

  /**
   * Whether {@code mac} is this key's MAC of {@code envelope}, received as {@code body}: made with
   * this key, for this instance, over these bytes. Compared in constant time.
   */
  public boolean matches(Envelope<?> envelope, byte[] body, EventMac mac) {
    if (!coordinatorKeyId.equals(mac.coordinatorKeyId())
        || !instanceId.equals(envelope.instanceId())) {
      return false;
    }
    byte[] received;
    try {
      received = Base64.getDecoder().decode(mac.value());
    } catch (IllegalArgumentException e) {
      return false;
    }
    return received.length == MAC_BYTES && MessageDigest.isEqual(received, mac(envelope, body));
  }

  private byte[] mac(Envelope<?> envelope, byte[] body) {
    byte[] fields =
        SignedFields.canonical(
            List.of(
                VERSION,
                envelope.messageId().toString(),
                envelope.type(),
                envelope.instanceId(),
                envelope.migrationId().toString(),
                Integer.toString(envelope.attempt()),
                SignedFields.sha256(body)));
    Mac hmac;
    try {
      hmac = (Mac) keyed.clone();
    } catch (CloneNotSupportedException e) {
      // A provider whose HMAC cannot be cloned: key a new one.
      hmac = keyedMac(key);
    }
    return hmac.doFinal(fields);
  }

  private static Mac keyedMac(SecretKeySpec key) {
    try {
      Mac hmac = Mac.getInstance(HMAC);
      hmac.init(key);
      return hmac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK has no " + HMAC, e);
    }
  }

  @Override
  public String toString() {
    return "EventMacKey[instance=" + instanceId + ", coordinatorKey=" + coordinatorKeyId + "]";
  }
}
