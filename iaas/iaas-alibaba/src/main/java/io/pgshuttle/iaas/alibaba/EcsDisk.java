package io.pgshuttle.iaas.alibaba;

import io.pgshuttle.iaas.DeviceHint;
import io.pgshuttle.iaas.Disk;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What DescribeDisks says about one ECS cloud disk, free of SDK types. Immutable.
 *
 * @param status ECS's status word: Creating, Available, Attaching, In_use, Detaching, ReIniting
 * @param instanceId the instance it is attached to, empty when none
 * @param device the device name ECS assigned on attach, such as {@code /dev/xvdb}; empty when none
 * @param serialNumber the serial the guest sees, the id without {@code d-}; empty on old disks
 */
record EcsDisk(
    String id,
    String status,
    String instanceId,
    String device,
    String serialNumber,
    int sizeGiB,
    Map<String, String> tags) {
  static final String CREATING = "Creating";
  static final String AVAILABLE = "Available";
  static final String ATTACHING = "Attaching";
  static final String IN_USE = "In_use";
  static final String DETACHING = "Detaching";

  private static final Set<String> ATTACHED = Set.of(ATTACHING, IN_USE, DETACHING);
  private static final String BY_ID = "/dev/disk/by-id/";
  private static final String XEN_PREFIX = "/dev/xvd";

  EcsDisk {
    tags = Map.copyOf(tags);
  }

  boolean inUseOn(String vmId) {
    return IN_USE.equals(status) && vmId.equals(instanceId);
  }

  boolean attachedTo(String vmId) {
    return ATTACHED.contains(status) && vmId.equals(instanceId);
  }

  Disk toDisk() {
    return new Disk(id, sizeGiB, tags, ATTACHED.contains(status));
  }

  /**
   * Where the guest shows this disk, most specific first, as Alibaba's own CSI driver looks: the
   * virtio serial link, the NVMe serial link (both carry the id without {@code d-}), any by-id
   * entry ending in that serial, then the device name ECS reports, which KVM guests show as {@code
   * /dev/vdX} where ECS says {@code /dev/xvdX}.
   */
  List<DeviceHint> deviceHints() {
    String serial = serial();
    List<DeviceHint> hints = new ArrayList<>();
    hints.add(new DeviceHint(DeviceHint.DEVICE_PATH, BY_ID + "virtio-" + serial));
    hints.add(
        new DeviceHint(
            DeviceHint.DEVICE_PATH, BY_ID + "nvme-Alibaba_Cloud_Elastic_Block_Storage_" + serial));
    hints.add(new DeviceHint(DeviceHint.BY_ID_SUFFIX, serial));
    if (!device.isBlank()) {
      hints.add(new DeviceHint(DeviceHint.DEVICE_PATH, device));
      if (device.startsWith(XEN_PREFIX)) {
        hints.add(
            new DeviceHint(
                DeviceHint.DEVICE_PATH, "/dev/vd" + device.substring(XEN_PREFIX.length())));
      }
    }
    return hints;
  }

  private String serial() {
    if (!serialNumber.isBlank()) {
      return serialNumber;
    }
    return id.startsWith("d-") ? id.substring(2) : id;
  }
}
