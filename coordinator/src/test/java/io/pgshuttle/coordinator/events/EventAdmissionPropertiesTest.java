package io.pgshuttle.coordinator.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgshuttle.amqp.BrokerGrants;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.HostileMessages;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MessageDecodingException;
import io.pgshuttle.messages.Names;
import io.pgshuttle.security.AgentKeyDirectory;
import io.pgshuttle.security.HostileMacs;
import io.pgshuttle.security.HostileSignatures;
import io.pgshuttle.security.HostileSignatures.Fault;
import io.pgshuttle.security.KeyAlgorithm;
import io.pgshuttle.security.KeyFiles;
import io.pgshuttle.security.MessageSigner;
import io.pgshuttle.security.SignatureRefusedException;
import io.pgshuttle.testkit.PostgresCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;

/**
 * What the event consumer does with a delivery before folding it ({@link EventAdmission}): decode
 * it, check its AMQP user-id and check its MAC against the key its instance's registered X25519 key
 * agrees with the coordinator's (or the coordinator's own signature). Bodies are {@link
 * HostileMessages} made from events (valid and mutated), MACed by the agent registered as instance
 * vm-1 (the one the samples name, the only one registered) as the instance they name, given a
 * {@link HostileMacs.Fault} in about half the tries, or signed by the coordinator and given a
 * {@link Fault} of {@link HostileSignatures}, and published under one of several broker users. An
 * event is admitted only when it is published by its instance's agent user or the coordinator's and
 * MACed with its instance's key or signed by the coordinator; otherwise the verdict names the
 * refusal the delivery calls for. The agents' public keys are in a directory made for the property
 * run. jqwik draws a new seed each run and prints the one that reproduces a failure.
 */
class EventAdmissionPropertiesTest {
  private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
  private static final Duration VALIDITY = Duration.ofDays(1);
  private static final String INSTANCE = "vm-1";
  private static final String COORDINATOR_USER = BrokerGrants.COORDINATOR_USER;

  /** Who published a delivery, as its AMQP user-id says. */
  enum Publisher {
    /**
     * The agent user of the instance the event names; vm-1's when that name could name no agent.
     */
    OWN_AGENT,
    COORDINATOR,
    /** Another instance's agent. */
    OTHER_AGENT,
    /** No user-id at all. */
    NONE,
    GUEST,
    EMPTY;

    String userId(String instanceId) {
      return switch (this) {
        case OWN_AGENT ->
            BrokerGrants.agentUser(Names.isValidInstanceId(instanceId) ? instanceId : INSTANCE);
        case COORDINATOR -> COORDINATOR_USER;
        case OTHER_AGENT -> BrokerGrants.agentUser("vm-2");
        case NONE -> null;
        case GUEST -> "guest";
        case EMPTY -> "";
      };
    }
  }

  private final MessageCodec codec = new MessageCodec();
  private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
  private final KeyPair agent = KeyAlgorithm.X25519.generate();
  private final KeyPair coordinator = HostileSignatures.newKeyPair();
  private final KeyPair coordinatorEvents = KeyAlgorithm.X25519.generate();
  private final HostileMacs macedByAgent = new HostileMacs(agent, coordinatorEvents.getPublic());
  private final HostileSignatures signedByCoordinator =
      new HostileSignatures(coordinator, HostileSignatures.newKeyPair(), clock, VALIDITY);
  private Path agentKeys;
  private EventAdmission admission;

  @BeforeProperty
  void registerTheAgentsKey() throws IOException {
    agentKeys = Files.createTempDirectory("event-admission-properties");
    KeyFiles.writePublic(
        KeyFiles.publicFile(agentKeys, INSTANCE, KeyAlgorithm.X25519), agent.getPublic());
    MessageSigner coordinatorSigner = new MessageSigner(coordinator, clock, VALIDITY);
    CoordinatorEventKeys eventKeys = new CoordinatorEventKeys(List.of(coordinatorEvents));
    admission =
        new EventAdmission(
            codec,
            new EventSignatures(
                new AgentKeyDirectory(agentKeys), () -> eventKeys, () -> coordinatorSigner));
  }

  @AfterProperty
  void deleteAgentKeys() {
    PostgresCluster.deleteRecursively(agentKeys);
  }

  @Provide
  Arbitrary<byte[]> bodies() {
    return HostileMessages.bodies(Event.class);
  }

  /** Half the coordinator's deliveries signed as it signs, half with a fault of any kind. */
  @Provide
  Arbitrary<Fault> faults() {
    return Arbitraries.oneOf(Arbitraries.just(Fault.NONE), Arbitraries.of(Fault.class));
  }

  /** Half the agent's deliveries MACed as it MACs them, half with a fault of any kind. */
  @Provide
  Arbitrary<HostileMacs.Fault> macFaults() {
    return Arbitraries.oneOf(
        Arbitraries.just(HostileMacs.Fault.NONE), Arbitraries.of(HostileMacs.Fault.class));
  }

  /** Mostly the instance's agent, as in production; the others in a third of the deliveries. */
  @Provide
  Arbitrary<Publisher> publishers() {
    return Arbitraries.oneOf(
        Arbitraries.just(Publisher.OWN_AGENT),
        Arbitraries.just(Publisher.OWN_AGENT),
        Arbitraries.of(Publisher.class));
  }

  @Property(tries = 10_000)
  @StatisticsReport(onFailureOnly = true)
  void everyEventIsAdmittedOnlyWhenItsInstanceMacedAndPublishedIt(
      @ForAll("bodies") byte[] body,
      @ForAll("faults") Fault fault,
      @ForAll("macFaults") HostileMacs.Fault macFault,
      @ForAll("publishers") Publisher publisher,
      @ForAll boolean coordinatorSigns,
      @ForAll Random random) {
    Statistics.coverage(
        checker -> {
          checker.check("admitted").percentage(p -> p > 2);
          checker.check("unreadable").percentage(p -> p > 20);
          checker.check("untrusted publisher").count(n -> n > 0);
          for (SignatureRefusedException.Reason reason :
              SignatureRefusedException.Reason.values()) {
            if (reason != SignatureRefusedException.Reason.EXPIRED) {
              checker.check("unsigned " + reason).count(n -> n > 0);
            }
          }
        });
    HostileSignatures.Signed delivery =
        coordinatorSigns
            ? signedByCoordinator.sign(body, fault, random)
            : macedByAgent.authenticate(body, macFault, random);
    Envelope<Event> event;
    try {
      event = codec.decode(delivery.body(), Event.class);
    } catch (MessageDecodingException e) {
      EventAdmission.Verdict verdict =
          admission.admit(
              delivery.body(), publisher.userId(INSTANCE), COORDINATOR_USER, delivery.headers());
      assertThat(verdict).isEqualTo(new EventAdmission.Unreadable(e.getMessage()));
      Statistics.collect("unreadable");
      return;
    }
    String userId = publisher.userId(event.instanceId());

    EventAdmission.Verdict verdict =
        admission.admit(delivery.body(), userId, COORDINATOR_USER, delivery.headers());

    boolean trustedPublisher =
        publisher == Publisher.COORDINATOR
            || (publisher == Publisher.OWN_AGENT && Names.isValidInstanceId(event.instanceId()));
    if (!trustedPublisher) {
      assertThat(verdict).isEqualTo(new EventAdmission.UntrustedPublisher(event, userId));
      Statistics.collect("untrusted publisher");
      return;
    }
    // Only vm-1's key is registered: an event naming another instance has no key to check.
    Optional<SignatureRefusedException.Reason> expected =
        !INSTANCE.equals(event.instanceId())
            ? Optional.of(SignatureRefusedException.Reason.UNKNOWN_KEY)
            : coordinatorSigns ? fault.refusal(false) : macFault.refusal();
    if (expected.isEmpty()) {
      assertThat(verdict).isEqualTo(new EventAdmission.Admitted(event));
      Statistics.collect("admitted");
      return;
    }
    assertThat(verdict).isInstanceOf(EventAdmission.Unsigned.class);
    EventAdmission.Unsigned unsigned = (EventAdmission.Unsigned) verdict;
    assertThat(unsigned.envelope()).isEqualTo(event);
    assertThat(unsigned.refusal().reason()).isEqualTo(expected.get());
    assertThat(unsigned.refusal().getMessage()).isNotBlank();
    Statistics.collect("unsigned " + expected.get());
  }
}
