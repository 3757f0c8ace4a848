package io.pgshuttle.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgshuttle.messages.Command;
import io.pgshuttle.messages.CommandRefused;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.HostileMessages;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MessageDecodingException;
import io.pgshuttle.messages.StartMigration;
import io.pgshuttle.security.HostileSignatures;
import io.pgshuttle.security.HostileSignatures.Fault;
import io.pgshuttle.security.MessageVerifier;
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
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;
import net.jqwik.api.lifecycle.BeforeTry;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;

/**
 * What the agent's command and control consumers do with a delivery before acting on it: decode the
 * body as their queue's type ({@link MessageCodec}), pass it through the {@link CommandGate}
 * (signature, expiry, instance, seen-window) and, for a StartMigration, check its problems. Bodies
 * are {@link HostileMessages} made from commands (valid and mutated), signed by a coordinator key
 * and given a {@link Fault} of {@link HostileSignatures} in about half the tries. A delivery is
 * admitted only when it is validly signed for this instance; otherwise the gate refuses it with the
 * {@link CommandRefused} reason the fault calls for, or the decoder with a {@link
 * MessageDecodingException}; nothing else is thrown, and a refused command leaves nothing in the
 * seen-window. Each try has a seen-window of its own in a directory made for the property run.
 * jqwik draws a new seed each run and prints the one that reproduces a failure.
 */
class CommandGatePropertiesTest {
  private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
  private static final Duration VALIDITY = Duration.ofMinutes(10);

  /** The queue a delivery comes on: each decodes its own type. */
  enum Queue {
    COMMANDS(StartMigration.class),
    CONTROL(Command.class);

    final Class<? extends Command> type;

    Queue(Class<? extends Command> type) {
      this.type = type;
    }
  }

  private final MessageCodec codec = new MessageCodec();
  private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
  private final KeyPair coordinator = HostileSignatures.newKeyPair();
  private final HostileSignatures signatures =
      new HostileSignatures(coordinator, HostileSignatures.newKeyPair(), clock, VALIDITY);
  // The coordinator's key and the one it is rotating to, as an agent trusts them.
  private final MessageVerifier verifier =
      new MessageVerifier(
          List.of(HostileSignatures.newKeyPair().getPublic(), coordinator.getPublic()), clock);
  private Path stateDirs;
  private SeenCommands seen;
  private int tries;

  @BeforeProperty
  void makeStateDirs() throws IOException {
    stateDirs = Files.createTempDirectory("command-gate-properties");
  }

  @AfterProperty
  void deleteStateDirs() {
    PostgresCluster.deleteRecursively(stateDirs);
  }

  @BeforeTry
  void newSeenWindow() {
    seen = new SeenCommands(stateDirs.resolve("try-" + tries++));
  }

  @Provide
  Arbitrary<byte[]> bodies() {
    return HostileMessages.bodies(Command.class);
  }

  /** Half the deliveries signed as the coordinator signs, half with a fault of any kind. */
  @Provide
  Arbitrary<Fault> faults() {
    return Arbitraries.oneOf(Arbitraries.just(Fault.NONE), Arbitraries.of(Fault.class));
  }

  /** Mostly this agent's instance, the one the samples name; sometimes another. */
  @Provide
  Arbitrary<String> instances() {
    return Arbitraries.frequency(Tuple.of(9, "vm-1"), Tuple.of(1, "vm-2"));
  }

  @Property(tries = 10_000)
  @StatisticsReport(onFailureOnly = true)
  void everyDeliveryIsAdmittedOnlyWhenSignedForThisInstance(
      @ForAll("bodies") byte[] body,
      @ForAll("faults") Fault fault,
      @ForAll Queue queue,
      @ForAll("instances") String instanceId,
      @ForAll boolean redelivered,
      @ForAll Random random) {
    Statistics.coverage(
        checker -> {
          checker.check("admitted").percentage(p -> p > 2);
          checker.check("unreadable").percentage(p -> p > 20);
          for (CommandRefused.Reason reason : CommandRefused.Reason.values()) {
            if (reason != CommandRefused.Reason.REPLAYED) {
              checker.check("refused " + reason).count(n -> n > 0);
            }
          }
        });
    CommandGate gate = new CommandGate(instanceId, verifier, seen, clock);
    HostileSignatures.Signed delivery = signatures.sign(body, fault, random);

    Envelope<? extends Command> command;
    try {
      command = codec.decode(delivery.body(), queue.type);
    } catch (MessageDecodingException e) {
      assertThat(e.getMessage()).isNotBlank();
      Statistics.collect("unreadable");
      return;
    }
    Optional<CommandRefused> refusal =
        gate.admit(command, delivery.body(), delivery.headers(), redelivered);

    Optional<CommandRefused.Reason> expected =
        fault
            .refusal(true)
            .map(reason -> CommandRefused.Reason.valueOf(reason.name()))
            .or(
                () ->
                    instanceId.equals(command.instanceId())
                            && instanceId.equals(command.payload().instanceId())
                        ? Optional.empty()
                        : Optional.of(CommandRefused.Reason.OTHER_INSTANCE));
    assertThat(refusal.map(CommandRefused::reason)).isEqualTo(expected);
    if (refusal.isPresent()) {
      assertRefusalReportable(command, refusal.get(), instanceId);
      assertThat(seen.contains(command.messageId())).isFalse();
      Statistics.collect("refused " + refusal.get().reason());
      return;
    }
    assertThat(seen.contains(command.messageId())).isTrue();
    // The same delivery again: a redelivery (its ack was lost) is admitted, a replay refused.
    Optional<CommandRefused> again =
        gate.admit(command, delivery.body(), delivery.headers(), redelivered);
    assertThat(again.map(CommandRefused::reason))
        .isEqualTo(redelivered ? Optional.empty() : Optional.of(CommandRefused.Reason.REPLAYED));
    if (command.payload() instanceof StartMigration start) {
      List<String> problems = start.problems();
      assertThat(problems).allSatisfy(problem -> assertThat(problem).isNotBlank());
      Statistics.collect(problems.isEmpty() ? "admitted" : "admitted, invalid: not run");
    } else {
      Statistics.collect("admitted");
    }
  }

  /** The refusal names the command and can be sent as an event, without the command's secret. */
  private void assertRefusalReportable(
      Envelope<? extends Command> command, CommandRefused refused, String instanceId) {
    assertThat(refused.commandMessageId()).isEqualTo(command.messageId());
    assertThat(refused.commandType()).isEqualTo(command.type());
    assertThat(refused.detail()).isNotBlank().doesNotContain(HostileMessages.PASSWORD);
    Envelope<CommandRefused> report = Envelope.of(instanceId, refused.envelopeId(), 0, 0, refused);
    assertThat(codec.encode(report)).isNotEmpty();
  }
}
