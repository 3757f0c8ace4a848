package io.pgshuttle.messages;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A message on the wire: a payload with the header every pgshuttle message carries. The wire form
 * adds {@code type} and {@code version}, which {@link MessageCodec} derives from the payload.
 *
 * @param messageId unique per message; consumers use it to drop duplicates
 * @param instanceId the VM a command is for, or an event is from
 * @param attempt 1 and up for commands and events; 0 for a request, and for the coordinator's event
 *     about a migration that ended before any attempt was dispatched
 * @param seq per attempt, grows with each event the agent emits; 0 for requests and commands. The
 *     coordinator's own events use the three highest exact JSON integers, {@link
 *     #COORDINATOR_MIGRATION_CANCELLED_SEQ}, {@link #COORDINATOR_ATTEMPT_FAILED_SEQ} and {@link
 *     #COORDINATOR_MIGRATION_FAILED_SEQ}, so they never collide with an agent's and sort after them
 * @param <P> the payload type
 */
public record Envelope<P extends Payload>(
    UUID messageId,
    String instanceId,
    MigrationId migrationId,
    int attempt,
    long seq,
    Instant emittedAt,
    P payload) {

  /** Seq of the MigrationCancelled the coordinator publishes when a migration ends CANCELLED. */
  public static final long COORDINATOR_MIGRATION_CANCELLED_SEQ = (1L << 53) - 3;

  /** Seq of an AttemptFailed the coordinator decides itself (an agent that went silent). */
  public static final long COORDINATOR_ATTEMPT_FAILED_SEQ = (1L << 53) - 2;

  /** Seq of the MigrationFailed the coordinator publishes when it gives up. */
  public static final long COORDINATOR_MIGRATION_FAILED_SEQ = (1L << 53) - 1;

  public Envelope {
    Objects.requireNonNull(messageId, "messageId");
    Objects.requireNonNull(instanceId, "instanceId");
    Objects.requireNonNull(migrationId, "migrationId");
    Objects.requireNonNull(emittedAt, "emittedAt");
    Objects.requireNonNull(payload, "payload");
  }

  /** A new envelope with a fresh message id, stamped now. */
  public static <P extends Payload> Envelope<P> of(
      String instanceId, MigrationId migrationId, int attempt, long seq, P payload) {
    return new Envelope<>(
        UUID.randomUUID(), instanceId, migrationId, attempt, seq, Instant.now(), payload);
  }

  /** A request in its envelope: the migration id comes from the requestId. */
  public static Envelope<MigrationRequest> ofRequest(MigrationRequest request) {
    return of(request.instanceId(), request.migrationId(), 0, 0, request);
  }

  /** This envelope, same header, carrying {@code other} instead of its payload. */
  public <Q extends Payload> Envelope<Q> withPayload(Q other) {
    return new Envelope<>(messageId, instanceId, migrationId, attempt, seq, emittedAt, other);
  }

  /** The logical type name of the payload, as on the wire. */
  public String type() {
    return MessageCodec.typeName(payload.getClass());
  }
}
