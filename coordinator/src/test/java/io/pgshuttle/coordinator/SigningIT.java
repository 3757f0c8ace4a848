package io.pgshuttle.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.GetResponse;
import io.pgshuttle.coordinator.status.MigrationState;
import io.pgshuttle.coordinator.status.StepState;
import io.pgshuttle.coordinator.status.StepStatus;
import io.pgshuttle.messages.CommandRefused;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.MigrationRequest;
import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.StepStarted;
import io.pgshuttle.messages.Topology;
import io.pgshuttle.security.EventMacKey;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * On the real broker and store: the coordinator folds only events MACed with the key of the
 * instance they name (a key replaced in its directory from the first event MACed with it), records
 * an agent's CommandRefused without folding it, refuses a request for an instance whose agent has
 * no registered key, and keeps the target password only sealed.
 */
class SigningIT extends WithCoordinatorFixture {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @BeforeEach
  void startCoordinator() {
    fixture.start();
  }

  @Test
  void anEventForgedForAnotherInstanceOrWithoutMacIsRefusedAndNotFolded() throws Exception {
    FakeAgent victim = fixture.agent("vm-victim");
    FakeAgent forger = fixture.agent("vm-forger");
    MigrationRequest request = CoordinatorFixture.request("req-victim", "vm-victim", "pw");
    fixture.publishRequest(request);
    MigrationId id = victim.awaitCommand(WAIT).migrationId();

    Envelope<Event> forged =
        new Envelope<>(
            UUID.randomUUID(), "vm-victim", id, 1, 1, Instant.now(), new StepStarted(Step.DUMP));
    // The forger's own X25519 key agrees a key for "vm-victim" too, but not vm-victim's.
    forger.emitAuthenticated(forged, forger.eventKeyAs("vm-victim"));
    Envelope<Event> unsigned =
        new Envelope<>(
            UUID.randomUUID(), "vm-victim", id, 1, 2, Instant.now(), new StepStarted(Step.DUMP));
    forger.emitAuthenticated(unsigned, null);
    await().atMost(WAIT).until(() -> fixture.counter(CoordinatorMetrics.EVENTS_REFUSED) == 2);

    assertThat(stepState(id, Step.DUMP)).isEqualTo(StepState.PENDING);
    assertThat(fixture.storeValue("SELECT count(*) FROM pgshuttle.events")).isEqualTo("0");
    assertThat(fixture.counter(CoordinatorMetrics.EVENTS_FOLDED)).isZero();

    victim.emit(id, 1, 1, new StepStarted(Step.PREFLIGHT));
    await().atMost(WAIT).until(() -> fixture.counter(CoordinatorMetrics.EVENTS_FOLDED) == 1);
    assertThat(stepState(id, Step.PREFLIGHT)).isEqualTo(StepState.RUNNING);
    assertThat(fixture.counter(CoordinatorMetrics.EVENTS_REFUSED)).isEqualTo(2);
  }

  @Test
  void anAgentKeyReplacedInTheDirectoryIsUsedFromItsFirstEventAndTheOldOneIsRefused()
      throws Exception {
    FakeAgent before = fixture.agent("vm-rekeyed");
    MigrationRequest request = CoordinatorFixture.request("req-rekeyed", "vm-rekeyed", "pw");
    fixture.publishRequest(request);
    MigrationId id = before.awaitCommand(WAIT).migrationId();
    before.emit(id, 1, 1, new StepStarted(Step.PREFLIGHT));
    await().atMost(WAIT).until(() -> fixture.counter(CoordinatorMetrics.EVENTS_FOLDED) == 1);

    KeyPair replacement = fixture.replaceAgentKey("vm-rekeyed");
    Envelope<Event> byNewKey =
        new Envelope<>(
            UUID.randomUUID(), "vm-rekeyed", id, 1, 2, Instant.now(), new StepStarted(Step.DUMP));
    before.emitAuthenticated(
        byNewKey,
        EventMacKey.forAgent(replacement, fixture.coordinatorEventKeys.getPublic(), "vm-rekeyed"));
    await().atMost(WAIT).until(() -> fixture.counter(CoordinatorMetrics.EVENTS_FOLDED) == 2);
    before.emit(id, 1, 3, new StepStarted(Step.RESTORE));
    await().atMost(WAIT).until(() -> fixture.counter(CoordinatorMetrics.EVENTS_REFUSED) == 1);

    assertThat(stepState(id, Step.DUMP)).isEqualTo(StepState.RUNNING);
    assertThat(stepState(id, Step.RESTORE)).isEqualTo(StepState.PENDING);
    assertThat(fixture.storeValue("SELECT count(*) FROM pgshuttle.events")).isEqualTo("2");
  }

  @Test
  void anAgentsCommandRefusedIsCountedNotFolded() throws Exception {
    FakeAgent agent = fixture.agent("vm-refusing");
    CommandRefused refused =
        new CommandRefused(
            UUID.randomUUID(),
            UUID.randomUUID(),
            "StartMigration",
            MigrationId.forRequest("unknown"),
            1,
            CommandRefused.Reason.UNKNOWN_KEY,
            "signed by key 00ff, which is not trusted here");

    agent.emit(refused.envelopeId(), 0, 1, refused);

    await().atMost(WAIT).until(() -> fixture.counter(CoordinatorMetrics.COMMANDS_REFUSED) == 1);
    assertThat(fixture.storeValue("SELECT count(*) FROM pgshuttle.events")).isEqualTo("0");
    assertThat(fixture.counter(CoordinatorMetrics.EVENTS_REFUSED)).isZero();
    assertThat(
            fixture.storeValue(
                "SELECT actor || ' ' || instance_id || ' ' || (detail::jsonb ->> 'reason')"
                    + " FROM pgshuttle.audit_log WHERE action = 'COMMAND_REFUSED'"))
        .isEqualTo("agent vm-refusing vm-refusing UNKNOWN_KEY");
  }

  @Test
  void aRequestForAnInstanceWithoutRegisteredKeysIsDeadLetteredSayingHowToRegisterThem()
      throws Exception {
    MigrationRequest request = CoordinatorFixture.request("req-keyless", "vm-keyless", "pw-x1");

    fixture.publishRequest(fixture.codec.encode(Envelope.ofRequest(request)));
    GetResponse deadLetter = fixture.awaitDeadLetter(WAIT);

    String reason = String.valueOf(deadLetter.getProps().getHeaders().get(Topology.REASON_HEADER));
    assertThat(reason)
        .contains("instance vm-keyless has no registered agent keys")
        .contains("vm-keyless.x25519.pub")
        .contains("pgshuttle keys agent --instance vm-keyless")
        .doesNotContain("pw-x1");
    assertThat(fixture.storeValue("SELECT count(*) FROM pgshuttle.migrations")).isEqualTo("0");
  }

  @Test
  void theStoreHoldsTheTargetPasswordOnlySealed() throws Exception {
    FakeAgent agent = fixture.agent("vm-sealed");
    String password = "distinctive-" + UUID.randomUUID();
    MigrationRequest request = CoordinatorFixture.request("req-sealed", "vm-sealed", password);

    fixture.publishRequest(request);
    var command = agent.awaitCommand(WAIT);

    assertThat(agent.password(command).reveal()).isEqualTo(password);
    assertThat(fixture.storeTextContaining(password)).isZero();
    assertThat(fixture.storeTextContaining("vm-sealed")).isPositive();
    assertThat(fixture.state(request.migrationId())).isEqualTo(MigrationState.RUNNING);
  }

  private StepState stepState(MigrationId id, Step step) {
    return fixture.status(id).steps().stream()
        .filter(candidate -> candidate.name() == step)
        .map(StepStatus::state)
        .findFirst()
        .orElseThrow();
  }
}
