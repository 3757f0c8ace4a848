package io.pgshuttle.bench.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MigrationId;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EventEncoderTest {
  private final MessageCodec codec = new MessageCodec();

  @Test
  void writesEveryEventAsTheCodecDoes() throws Exception {
    List<Event> events = SimulatedAgents.events(23, " padded \"é\" " + "x".repeat(200));
    EventEncoder encoder = new EventEncoder(events);
    MigrationId migrationId = MigrationId.forRequest("req \"quoted\" ü");
    EventEncoder.Migration migration = encoder.migration("vm-\"ü\"\\-01", migrationId, 3);
    Instant[] times = {
      Instant.parse("2026-11-27T01:02:03Z"),
      Instant.parse("2026-11-27T01:02:03.120Z"),
      Instant.parse("2026-11-27T01:02:03.123456789Z")
    };
    for (int i = 0; i < events.size(); i++) {
      Envelope<Event> envelope =
          new Envelope<>(
              UUID.randomUUID(),
              "vm-\"ü\"\\-01",
              migrationId,
              3,
              i + 1,
              times[i % times.length],
              events.get(i));

      byte[] bytes = migration.encode(envelope, i);

      assertThat(new String(bytes, "UTF-8")).isEqualTo(new String(codec.encode(envelope), "UTF-8"));
      assertThat(codec.decode(bytes, Event.class)).isEqualTo(envelope);
    }
  }
}
