package io.pgshuttle.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * A request the coordinator could not take, as {@code GET /v1/dead-letters/{id}} shows it.
 * Immutable.
 *
 * @param id the dead letter's id, opaque
 * @param reason why it was dead-lettered, such as {@code invalid} or {@code delivery_limit}
 * @param detail what was wrong, for a person; may be null
 * @param deliveryCount deliveries before it was dead-lettered; may be null
 * @param replays how often it was replayed
 * @param requestId the request's requestId; null when it could not be read
 * @param instanceId the request's instance; null when it could not be read
 * @param request the message as it came (the request's envelope) with the password removed; null
 *     when it was not JSON
 * @param body the raw text of a message that was not JSON; else null
 */
public record DeadLetter(
    String id,
    String reason,
    String detail,
    Instant firstFailedAt,
    Integer deliveryCount,
    int replays,
    String requestId,
    String instanceId,
    JsonNode request,
    String body) {}
