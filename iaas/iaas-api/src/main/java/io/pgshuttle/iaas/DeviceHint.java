package io.pgshuttle.iaas;

import java.util.Objects;

/**
 * One place an attached disk may appear inside the VM. Providers translate what their cloud says (a
 * volume id, a device name, a LUN) into these generic kinds, so that the agent finds devices with
 * no knowledge of any cloud, the way BOSH's agent does.
 *
 * @param kind how to read {@code value}, one of the constants here
 * @param value a path, a by-id suffix or a LUN, by {@code kind}
 */
public record DeviceHint(String kind, String value) {
  /** {@code value} is a directory that already is the disk's file system (the local provider). */
  public static final String DIRECTORY = "directory";

  /**
   * {@code value} is an absolute device path, such as {@code /dev/sdf} or {@code
   * /dev/disk/by-id/google-pgshuttle-1}, which may be a symbolic link.
   */
  public static final String DEVICE_PATH = "device-path";

  /**
   * {@code value} ends the name of an entry of {@code /dev/disk/by-id}: for serials the hypervisor
   * truncates, such as OpenStack's virtio serial (the first 20 characters of the volume id).
   */
  public static final String BY_ID_SUFFIX = "by-id-suffix";

  /**
   * {@code value} is a SCSI LUN: the device is the block device under {@code
   * /sys/bus/scsi/devices/<host>:<channel>:<target>:<lun>/block/}.
   */
  public static final String SCSI_LUN = "scsi-lun";

  public DeviceHint {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(value, "value");
  }
}
