package io.pgshuttle.bench.fleet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MigrationId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a migration's events byte for byte as {@link MessageCodec#encode} does (EventEncoderTest
 * holds it to that), cheaply: each event's body is encoded once, the fields of a migration once per
 * migration, and only the message id, seq and time per event. Encoding every event through the
 * codec cost the simulated agents a third of the benchmark's CPU, taken from the coordinator it
 * measures. Immutable and thread-safe.
 */
final class EventEncoder {
  private final ObjectMapper mapper = MessageCodec.newObjectMapper();
  private final List<Event> events;

  /** Per event: {@code {"type":T,"version":V,"messageId":"}. */
  private final List<byte[]> heads = new ArrayList<>();

  /** Per event: {@code ","body":B}}, after the time. */
  private final List<byte[]> tails = new ArrayList<>();

  EventEncoder(List<Event> events) {
    this.events = List.copyOf(events);
    for (Event event : this.events) {
      String type = MessageCodec.typeName(event.getClass());
      heads.add(
          utf8(
              "{\"type\":"
                  + json(type)
                  + ",\"version\":"
                  + MessageCodec.CURRENT_VERSION
                  + ",\"messageId\":\""));
      tails.add(concat(utf8("\",\"body\":"), jsonBytes(event), utf8("}")));
    }
  }

  /** The events, in the order they are emitted: the index {@link Migration#encode} takes. */
  List<Event> events() {
    return events;
  }

  /** The fields every event of one attempt shares, encoded. */
  Migration migration(String instanceId, MigrationId migrationId, int attempt) {
    return new Migration(
        utf8(
            "\",\"instanceId\":"
                + json(instanceId)
                + ",\"migrationId\":"
                + json(migrationId.toString())
                + ",\"attempt\":"
                + attempt
                + ",\"seq\":"));
  }

  /** One attempt's events. */
  final class Migration {
    /** {@code ","instanceId":I,"migrationId":M,"attempt":A,"seq":}. */
    private final byte[] shared;

    private Migration(byte[] shared) {
      this.shared = shared;
    }

    /**
     * The bytes of {@code envelope}, whose payload is event {@code index} and whose instance,
     * migration and attempt are this migration's.
     */
    byte[] encode(Envelope<Event> envelope, int index) {
      // A UUID, a number and an ISO-8601 instant need no escaping.
      return concat(
          heads.get(index),
          utf8(envelope.messageId().toString()),
          shared,
          utf8(envelope.seq() + ",\"emittedAt\":\"" + envelope.emittedAt()),
          tails.get(index));
    }
  }

  private static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] part : parts) {
      length += part.length;
    }
    byte[] out = new byte[length];
    int at = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, out, at, part.length);
      at += part.length;
    }
    return out;
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private String json(String text) {
    try {
      return mapper.writeValueAsString(text);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private byte[] jsonBytes(Object value) {
    try {
      return mapper.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
