package io.pgshuttle.agent.steps;

import java.util.Map;

/**
 * The disk PROVISION_DISK asked for, recorded before the provider is called: if the agent dies
 * before the disk's id is recorded, the tags still find it.
 */
public record RequestedDisk(String idempotencyKey, Map<String, String> tags) {
  public RequestedDisk {
    tags = Map.copyOf(tags);
  }
}
