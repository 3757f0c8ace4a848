package io.pgshuttle.coordinator.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A sweep of leftovers and what each agent reported: what {@code POST /v1/gc} and {@code GET
 * /v1/gc/{id}} answer. Immutable.
 *
 * <p>JSON contract (stable: fields are added, never renamed or removed; every field is always
 * present, null when unknown; timestamps are ISO-8601 UTC):
 *
 * <pre>
 * {
 *   "sweepId":     "uuid",
 *   "trigger":     "REQUEST | PERIODIC | AGENT",
 *   "instanceId":  the instance a request named, or null for every instance,
 *   "requestedAt": when the sweep was recorded,
 *   "complete":    true when every instance has reported (or cannot: no agent, broker failure),
 *   "instances": [ one per instance a SweepLeftovers went to, by instance id
 *     {"instanceId", "state": "SENDING | SENT | NO_AGENT | NOT_SENT | REPORTED",
 *      "migrations": [ended migration ids named], "error", "reportedAt",
 *      "removed": [leftover] or null, "notRemoved": [leftover] or null,
 *      "cleanMigrations": [migration ids] or null}
 *   ]
 * }
 * leftover: {"kind": "DISK | DATABASE | ROLLBACK | MIGRATION", "name", "migrationId", "detail"}
 * </pre>
 *
 * @param instanceId the instance a request named; null for every instance
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonPropertyOrder({"sweepId", "trigger", "instanceId", "requestedAt", "complete", "instances"})
public record SweepStatus(
    UUID sweepId,
    SweepTrigger trigger,
    String instanceId,
    Instant requestedAt,
    List<SweepInstanceStatus> instances) {

  public SweepStatus {
    instances = List.copyOf(instances);
  }

  /** Whether nothing more is to come: every instance reported, or cannot. */
  @JsonProperty("complete")
  public boolean complete() {
    return instances.stream().allMatch(instance -> instance.state().isFinal());
  }
}
