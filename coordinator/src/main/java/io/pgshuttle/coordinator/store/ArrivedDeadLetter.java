package io.pgshuttle.coordinator.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.UUID;

/**
 * A dead letter as it came off the dead-letter queue, already without its password, to record.
 * Immutable.
 *
 * @param messageId the AMQP message id, so a redelivery is recorded once; may be null
 * @param failedAt when it was dead-lettered
 * @param deliveryCount how often the broker says it was dead-lettered; 1 for pgshuttle's own
 * @param replays the replay count it carries; 0 for a first failure
 * @param request the body when it is JSON, else null
 * @param rawBody the body as text when it is not JSON, else null
 */
public record ArrivedDeadLetter(
    UUID id,
    String messageId,
    String reason,
    String detail,
    Instant failedAt,
    int deliveryCount,
    int replays,
    String requestId,
    String instanceId,
    JsonNode request,
    String rawBody,
    boolean passwordRemoved) {}
