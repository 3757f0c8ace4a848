package io.pgshuttle.iaas.local;

import io.pgshuttle.iaas.DiskProvisioner;
import io.pgshuttle.iaas.DiskProvisionerProvider;
import io.pgshuttle.iaas.PermanentIaasException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Provider {@code local}. Settings: {@code root} (required; PGSHUTTLE_LOCAL_DISK_ROOT), the
 * directory disks are made in; {@code capacityGiB} (optional), the most it hands out in total, as a
 * cloud quota would.
 */
public final class LocalDiskProvisionerProvider implements DiskProvisionerProvider {
  public static final String ID = "local";
  public static final String ROOT = "root";
  public static final String CAPACITY_GIB = "capacityGiB";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public DiskProvisioner create(Map<String, String> settings) {
    String root = settings.get(ROOT);
    if (root == null || root.isBlank()) {
      throw new PermanentIaasException(
          "the local disk provider needs a root directory: set PGSHUTTLE_LOCAL_DISK_ROOT");
    }
    String capacity = settings.get(CAPACITY_GIB);
    long capacityGiB;
    try {
      capacityGiB = capacity == null ? Long.MAX_VALUE : Long.parseLong(capacity.trim());
    } catch (NumberFormatException e) {
      throw new PermanentIaasException(
          "local disk setting capacityGiB must be a whole number of GiB, not '" + capacity + "'");
    }
    return new LocalDiskProvisioner(Path.of(root), capacityGiB);
  }
}
