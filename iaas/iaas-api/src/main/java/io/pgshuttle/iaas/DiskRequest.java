package io.pgshuttle.iaas;

import java.util.Map;
import java.util.Objects;

/**
 * What disk to create.
 *
 * @param idempotencyKey the same key returns the same disk, never a second one
 * @param sizeGiB whole gibibytes, at least 1
 * @param tags recorded on the disk, so it can be found again (see {@link DiskTags})
 */
public record DiskRequest(String idempotencyKey, int sizeGiB, Map<String, String> tags) {
  public DiskRequest {
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
    if (sizeGiB < 1) {
      throw new IllegalArgumentException("sizeGiB must be at least 1, not " + sizeGiB);
    }
    tags = Map.copyOf(tags);
  }
}
