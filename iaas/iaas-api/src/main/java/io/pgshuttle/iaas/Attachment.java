package io.pgshuttle.iaas;

import java.util.List;
import java.util.Objects;

/**
 * A disk attached to this VM, and where to look for it.
 *
 * @param deviceHints where the device may appear, most specific first; never empty. The agent takes
 *     the first that exists.
 */
public record Attachment(String diskId, List<DeviceHint> deviceHints) {
  public Attachment {
    Objects.requireNonNull(diskId, "diskId");
    deviceHints = List.copyOf(deviceHints);
    if (deviceHints.isEmpty()) {
      throw new IllegalArgumentException("an attachment needs at least one device hint");
    }
  }

  /** An attachment with one hint. */
  public static Attachment of(String diskId, DeviceHint hint) {
    return new Attachment(diskId, List.of(hint));
  }
}
