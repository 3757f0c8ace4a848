package io.pgshuttle.security;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.StepStarted;
import io.pgshuttle.messages.StepSucceeded;
import java.security.KeyPair;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Event MACs under a key an agent and the coordinator agree by static X25519. */
class EventMacKeyTest {
  private final MessageCodec codec = new MessageCodec();
  private final KeyPair agent = KeyAlgorithm.X25519.generate();
  private final KeyPair coordinator = KeyAlgorithm.X25519.generate();
  private final EventMacKey agentSide =
      EventMacKey.forAgent(agent, coordinator.getPublic(), "vm-1");
  private final EventMacKey coordinatorSide =
      EventMacKey.forCoordinator(coordinator, agent.getPublic(), "vm-1");
  private final Envelope<Event> event = event("vm-1", UUID.randomUUID(), 2);
  private final byte[] body = codec.encode(event);

  @Test
  void theAgentAndTheCoordinatorDeriveTheSameKey() {
    EventMac mac = mac(agentSide.authenticate(event, body));

    assertThat(coordinatorSide.matches(event, body, mac)).isTrue();
    assertThat(mac.coordinatorKeyId()).isEqualTo(KeyId.of(coordinator.getPublic()));
    assertThat(coordinatorSide.coordinatorKeyId()).isEqualTo(agentSide.coordinatorKeyId());
    assertThat(Base64.getDecoder().decode(mac.value())).hasSize(32);
  }

  @Test
  void anotherInstanceAnotherAgentKeyOrAnotherCoordinatorKeyGivesAnotherKey() {
    KeyPair otherAgent = KeyAlgorithm.X25519.generate();
    KeyPair otherCoordinator = KeyAlgorithm.X25519.generate();
    // The same agent key registered under another instance's name: bound to the instance id.
    Envelope<Event> ofVm2 =
        new Envelope<>(
            event.messageId(),
            "vm-2",
            event.migrationId(),
            event.attempt(),
            event.seq(),
            event.emittedAt(),
            event.payload());
    EventMac byVm2 =
        mac(EventMacKey.forAgent(agent, coordinator.getPublic(), "vm-2").authenticate(ofVm2, body));
    assertThat(
            EventMacKey.forCoordinator(coordinator, agent.getPublic(), "vm-2")
                .matches(ofVm2, body, byVm2))
        .isTrue();
    assertThat(coordinatorSide.matches(event, body, byVm2)).isFalse();
    assertThat(byVm2.value()).isNotEqualTo(mac(agentSide.authenticate(event, body)).value());

    // A compromised VM holds its own private key only: what it agrees for vm-1 is not vm-1's key.
    EventMac forged =
        mac(
            EventMacKey.forAgent(otherAgent, coordinator.getPublic(), "vm-1")
                .authenticate(event, body));
    assertThat(coordinatorSide.matches(event, body, forged)).isFalse();

    // Agreed with another coordinator key: another key id, and another key under this key's id.
    EventMac other =
        mac(
            EventMacKey.forAgent(agent, otherCoordinator.getPublic(), "vm-1")
                .authenticate(event, body));
    assertThat(other.coordinatorKeyId()).isNotEqualTo(coordinatorSide.coordinatorKeyId());
    assertThat(coordinatorSide.matches(event, body, other)).isFalse();
    assertThat(
            coordinatorSide.matches(
                event, body, new EventMac(coordinatorSide.coordinatorKeyId(), other.value())))
        .isFalse();
  }

  @Test
  void eachCoveredFieldAndTheBodyAreBound() {
    EventMac mac = mac(agentSide.authenticate(event, body));
    List<Envelope<Event>> tampered =
        List.of(
            event("vm-1", UUID.randomUUID(), event.attempt()),
            event("vm-1", event.messageId(), event.attempt() + 1),
            new Envelope<>(
                event.messageId(),
                "vm-1",
                MigrationId.forRequest("another"),
                event.attempt(),
                event.seq(),
                event.emittedAt(),
                event.payload()),
            new Envelope<>(
                event.messageId(),
                "vm-1",
                event.migrationId(),
                event.attempt(),
                event.seq(),
                event.emittedAt(),
                new StepSucceeded(Step.DUMP, 1, null)));
    for (Envelope<Event> changed : tampered) {
      assertThat(coordinatorSide.matches(changed, body, mac)).as(changed.toString()).isFalse();
      assertThat(coordinatorSide.matches(changed, codec.encode(changed), mac))
          .as(changed.toString())
          .isFalse();
    }
    byte[] changedBody = (new String(body, UTF_8) + " ").getBytes(UTF_8);
    assertThat(coordinatorSide.matches(event, changedBody, mac)).isFalse();

    byte[] raw = Base64.getDecoder().decode(mac.value());
    raw[7] ^= 1;
    assertThat(
            coordinatorSide.matches(
                event,
                body,
                new EventMac(mac.coordinatorKeyId(), Base64.getEncoder().encodeToString(raw))))
        .isFalse();
    assertThat(
            coordinatorSide.matches(
                event, body, new EventMac(mac.coordinatorKeyId(), mac.value().substring(0, 20))))
        .isFalse();
    assertThat(
            coordinatorSide.matches(
                event, body, new EventMac(mac.coordinatorKeyId(), "not base64!")))
        .isFalse();
  }

  @Test
  void anEventOfAnotherInstanceIsNotAuthenticated() {
    Envelope<Event> ofVm2 = event("vm-2", UUID.randomUUID(), 1);

    assertThatThrownBy(() -> agentSide.authenticate(ofVm2, codec.encode(ofVm2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("vm-2");
  }

  @Test
  void headersRoundTripAndMalformedOnesAreRefused() {
    Map<String, Object> headers = agentSide.authenticate(event, body);
    assertThat(EventMac.fromHeaders(headers)).contains(mac(headers));
    assertThat(EventMac.fromHeaders(null)).isEmpty();
    assertThat(EventMac.fromHeaders(Map.of())).isEmpty();

    Map<String, Object> noKeyId = new HashMap<>(headers);
    noKeyId.remove(EventMac.KEY_ID);
    Map<String, Object> nullMac = new HashMap<>(headers);
    nullMac.put(EventMac.MAC, null);
    Map<String, Object> notBase64 = new HashMap<>(headers);
    notBase64.put(EventMac.MAC, "%%");
    for (Map<String, Object> malformed : List.of(noKeyId, nullMac, notBase64)) {
      assertThatThrownBy(() -> EventMac.fromHeaders(malformed))
          .isInstanceOfSatisfying(
              SignatureRefusedException.class,
              e ->
                  assertThat(e.reason()).isEqualTo(SignatureRefusedException.Reason.BAD_SIGNATURE));
    }
  }

  @Test
  void neitherTheKeyNorTheMacIsShownAsText() {
    EventMac mac = mac(agentSide.authenticate(event, body));

    assertThat(agentSide.toString())
        .contains("vm-1")
        .contains(agentSide.coordinatorKeyId().value());
    assertThat(mac.toString()).doesNotContain(mac.value());
  }

  @Test
  void keysThatAreNotX25519DoNotAgree() {
    KeyPair ed25519 = KeyAlgorithm.ED25519.generate();

    assertThatThrownBy(() -> EventMacKey.forAgent(agent, ed25519.getPublic(), "vm-1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("X25519");
  }

  private static EventMac mac(Map<String, Object> headers) {
    return EventMac.fromHeaders(headers).orElseThrow();
  }

  private static Envelope<Event> event(String instance, UUID messageId, int attempt) {
    return new Envelope<>(
        messageId,
        instance,
        MigrationId.forRequest("req-1"),
        attempt,
        3,
        Instant.parse("2026-11-26T12:00:00Z"),
        new StepStarted(Step.DUMP));
  }
}
