package io.pgshuttle.iaas;

import java.util.Map;
import java.util.Objects;

/**
 * A disk as the IaaS reports it.
 *
 * @param id the IaaS's id for it
 * @param attached whether it is attached to a VM now
 */
public record Disk(String id, int sizeGiB, Map<String, String> tags, boolean attached) {
  public Disk {
    Objects.requireNonNull(id, "id");
    tags = Map.copyOf(tags);
  }
}
