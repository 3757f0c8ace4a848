package io.pgshuttle.iaas;

import java.util.Objects;

/** A disk attached to this VM, and where to look for it. */
public record Attachment(String diskId, DeviceHint deviceHint) {
  public Attachment {
    Objects.requireNonNull(diskId, "diskId");
    Objects.requireNonNull(deviceHint, "deviceHint");
  }
}
