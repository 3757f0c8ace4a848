package io.pgshuttle.coordinator.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.StepStarted;
import io.pgshuttle.security.AgentKeyDirectory;
import io.pgshuttle.security.EventMacKey;
import io.pgshuttle.security.KeyAlgorithm;
import io.pgshuttle.security.KeyFiles;
import io.pgshuttle.security.MessageSigner;
import io.pgshuttle.security.SignatureRefusedException;
import io.pgshuttle.security.SignatureRefusedException.Reason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which keys the coordinator takes events under: either of two coordinator event keys, an agent's
 * key replaced in the directory (at once) and not the replaced one (within {@link
 * EventSignatures#RECHECK}), and its own signature. The time is a counter the test moves.
 */
class EventSignaturesTest {
  private static final String INSTANCE = "vm-1";

  @TempDir Path agentKeys;

  private final MessageCodec codec = new MessageCodec();
  private final KeyPair current = KeyAlgorithm.X25519.generate();
  private final KeyPair next = KeyAlgorithm.X25519.generate();
  private final KeyPair coordinator = KeyAlgorithm.ED25519.generate();
  private final AtomicLong nanos = new AtomicLong();
  private final MessageSigner coordinatorSigner =
      new MessageSigner(coordinator, Clock.systemUTC(), Duration.ofHours(1));

  @Test
  void eventsAgreedWithEitherOfTwoCoordinatorKeysAreTakenAndWithNoneOfThemRefused() {
    KeyPair agent = register(KeyAlgorithm.X25519.generate());
    EventSignatures signatures = signatures(current, next);

    verify(signatures, EventMacKey.forAgent(agent, current.getPublic(), INSTANCE));
    verify(signatures, EventMacKey.forAgent(agent, next.getPublic(), INSTANCE));

    PublicKey retired = KeyAlgorithm.X25519.generate().getPublic();
    assertRefused(
        () -> verify(signatures, EventMacKey.forAgent(agent, retired, INSTANCE)),
        Reason.UNKNOWN_KEY,
        "coordinator.eventKeys");
  }

  @Test
  void anAgentKeyReplacedInTheDirectoryIsTakenAtOnceAndTheOldOneRefusedWithinTheRecheck()
      throws Exception {
    KeyPair old = register(KeyAlgorithm.X25519.generate());
    EventSignatures signatures = signatures(current);
    EventMacKey byOld = EventMacKey.forAgent(old, current.getPublic(), INSTANCE);
    verify(signatures, byOld);

    KeyPair replacement = KeyAlgorithm.X25519.generate();
    replace(replacement);
    verify(signatures, EventMacKey.forAgent(replacement, current.getPublic(), INSTANCE));
    assertRefused(() -> verify(signatures, byOld), Reason.BAD_SIGNATURE, INSTANCE);

    // Replaced again, back to the old key, while the new one is cached: seen at the next look.
    replace(old);
    EventMacKey byReplacement = EventMacKey.forAgent(replacement, current.getPublic(), INSTANCE);
    nanos.addAndGet(EventSignatures.RECHECK.toNanos());
    assertRefused(() -> verify(signatures, byReplacement), Reason.BAD_SIGNATURE, INSTANCE);
    verify(signatures, byOld);
  }

  @Test
  void anAgentKeyRemovedFromTheDirectoryIsRefusedWithinTheRecheck() throws Exception {
    KeyPair agent = register(KeyAlgorithm.X25519.generate());
    EventSignatures signatures = signatures(current);
    EventMacKey key = EventMacKey.forAgent(agent, current.getPublic(), INSTANCE);
    verify(signatures, key);

    Files.delete(KeyFiles.publicFile(agentKeys, INSTANCE, KeyAlgorithm.X25519));
    nanos.addAndGet(EventSignatures.RECHECK.toNanos());

    assertRefused(() -> verify(signatures, key), Reason.UNKNOWN_KEY, "pgshuttle keys agent");
  }

  @Test
  void theCoordinatorsOwnEventsAreTakenUnderItsSignatureOnly() {
    register(KeyAlgorithm.X25519.generate());
    EventSignatures signatures = signatures(current);
    Envelope<Event> event = event();
    byte[] body = codec.encode(event);

    signatures.verify(event, body, coordinatorSigner.sign(event, body));
    MessageSigner stranger =
        new MessageSigner(KeyAlgorithm.ED25519.generate(), Clock.systemUTC(), Duration.ofHours(1));
    assertRefused(
        () -> signatures.verify(event, body, stranger.sign(event, body)),
        Reason.UNKNOWN_KEY,
        "not trusted");
    assertRefused(() -> signatures.verify(event, body, Map.of()), Reason.UNSIGNED, "not signed");
  }

  private EventSignatures signatures(KeyPair... eventKeys) {
    CoordinatorEventKeys keys = new CoordinatorEventKeys(List.of(eventKeys));
    return new EventSignatures(
        new AgentKeyDirectory(agentKeys), () -> keys, () -> coordinatorSigner, nanos::get);
  }

  private KeyPair register(KeyPair agent) {
    KeyFiles.writePublic(
        KeyFiles.publicFile(agentKeys, INSTANCE, KeyAlgorithm.X25519), agent.getPublic());
    return agent;
  }

  /** A new file moved over the registered one, a minute later than it, as an operator does. */
  private void replace(KeyPair agent) throws Exception {
    Path registered = KeyFiles.publicFile(agentKeys, INSTANCE, KeyAlgorithm.X25519);
    Path staged = Files.createTempDirectory(agentKeys, "staged").resolve("key.pub");
    KeyFiles.writePublic(staged, agent.getPublic());
    FileTime before = Files.getLastModifiedTime(registered);
    Files.setLastModifiedTime(staged, FileTime.fromMillis(before.toMillis() + 60_000));
    Files.move(staged, registered, StandardCopyOption.REPLACE_EXISTING);
  }

  private void verify(EventSignatures signatures, EventMacKey by) {
    Envelope<Event> event = event();
    byte[] body = codec.encode(event);
    signatures.verify(event, body, by.authenticate(event, body));
  }

  private static Envelope<Event> event() {
    return Envelope.of(INSTANCE, MigrationId.forRequest("req-1"), 1, 1, new StepStarted(Step.DUMP));
  }

  private static void assertRefused(Runnable verification, Reason reason, String saying) {
    assertThatThrownBy(verification::run)
        .isInstanceOfSatisfying(
            SignatureRefusedException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(reason);
              assertThat(e.getMessage()).contains(saying);
            });
  }
}
