package io.pgshuttle.messages;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;

/**
 * Every decoder either accepts a body or refuses it with a {@link MessageDecodingException}; no
 * body makes one throw anything else, and an accepted one reads back the same after encoding.
 */
class MessageCodecPropertiesTest {
  private static final List<Class<? extends Payload>> EXPECTED =
      List.of(
          Payload.class,
          Command.class,
          Event.class,
          MigrationRequest.class,
          StartMigration.class,
          CancelMigration.class,
          SweepLeftovers.class);

  private final MessageCodec codec = new MessageCodec();

  @Provide
  Arbitrary<byte[]> bodies() {
    return HostileMessages.bodies();
  }

  @Property(tries = 10_000)
  @StatisticsReport(onFailureOnly = true)
  void everyDecoderAcceptsOrRefusesCleanly(@ForAll("bodies") byte[] body) throws Exception {
    String outcome = "refused";
    for (Class<? extends Payload> expected : EXPECTED) {
      Envelope<? extends Payload> envelope;
      try {
        envelope = codec.decode(body, expected);
      } catch (MessageDecodingException e) {
        assertThat(e.getMessage()).isNotBlank();
        continue;
      }
      outcome = "accepted";
      assertThat(codec.decode(codec.encode(envelope), expected)).isEqualTo(envelope);
      if (envelope.payload() instanceof MigrationRequest request) {
        assertThat(request.problems()).doesNotContainNull();
        assertThat(request.withoutPassword().target().password()).isNull();
      } else if (envelope.payload() instanceof StartMigration command) {
        assertThat(command.problems()).doesNotContainNull();
      }
    }
    Statistics.collect(outcome);
    Statistics.coverage(
        checker -> {
          checker.check("accepted").percentage(p -> p > 10);
          checker.check("refused").percentage(p -> p > 50);
        });
  }

  @Property(tries = 100)
  void everyValidSampleIsAcceptedAsItsOwnType(@ForAll("samples") Envelope<?> sample)
      throws Exception {
    byte[] wire = codec.encode(sample);

    assertThat(codec.decode(wire)).isEqualTo(sample);
  }

  @Provide
  Arbitrary<Envelope<?>> samples() {
    return Arbitraries.of(HostileMessages.samples());
  }
}
