package io.pgshuttle.iaas;

import java.util.Objects;

/**
 * What the IaaS says about where an attached disk appears inside the VM. The agent resolves it to a
 * path, since only the VM's kernel knows the final name.
 *
 * @param kind how to read {@code value}, one of the constants here
 * @param value a path, volume id, device name or LUN, by {@code kind}
 */
public record DeviceHint(String kind, String value) {
  /** {@code value} is a directory that is the disk's file system already (the local provider). */
  public static final String DIRECTORY = "directory";

  /** {@code value} is a block device path such as {@code /dev/sdf}. */
  public static final String BLOCK_DEVICE = "block-device";

  public DeviceHint {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(value, "value");
  }
}
