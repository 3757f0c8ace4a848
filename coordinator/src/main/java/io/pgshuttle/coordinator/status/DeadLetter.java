package io.pgshuttle.coordinator.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.UUID;

/**
 * One entry of the coordinator's dead-letter registry: a request that reached the requests'
 * dead-letter queue. Immutable (the request tree is not copied: do not change it).
 *
 * <p>JSON contract (every field always present, null when unknown):
 *
 * <pre>
 * {"id": "uuid", "reason": "malformed | invalid | instance_busy | delivery_limit | ...",
 *  "detail": "why, password masked", "firstFailedAt": ISO-8601, "deliveryCount": n, "replays": n,
 *  "requestId", "instanceId", "request": the request JSON without its password, or null,
 *  "body": the raw text when it is not JSON, else null}
 * </pre>
 *
 * @param deliveryCount how often the request reached the dead-letter queue (1 plus each failed
 *     replay, or the broker's own count when that is higher)
 * @param request null when the body is not JSON; then {@code body} holds it
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record DeadLetter(
    UUID id,
    String reason,
    String detail,
    Instant firstFailedAt,
    int deliveryCount,
    int replays,
    String requestId,
    String instanceId,
    JsonNode request,
    String body) {}
