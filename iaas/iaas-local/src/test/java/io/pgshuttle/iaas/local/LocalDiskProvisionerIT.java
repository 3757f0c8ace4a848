package io.pgshuttle.iaas.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgshuttle.iaas.Attachment;
import io.pgshuttle.iaas.DeviceHint;
import io.pgshuttle.iaas.Disk;
import io.pgshuttle.iaas.DiskProvisioner;
import io.pgshuttle.iaas.DiskProvisionerContract;
import io.pgshuttle.iaas.DiskProvisioners;
import io.pgshuttle.iaas.DiskRequest;
import io.pgshuttle.iaas.DiskTags;
import io.pgshuttle.iaas.PermanentIaasException;
import io.pgshuttle.iaas.TransientIaasException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract suite on real directories, plus what only the local provider does. */
class LocalDiskProvisionerIT extends DiskProvisionerContract {
  @TempDir Path root;

  @Override
  protected DiskProvisioner provisioner() {
    return DiskProvisioners.create("local", Map.of("root", root.toString()));
  }

  @Test
  void attachedDiskIsAWritableDirectoryThatDeleteRemoves() throws Exception {
    DiskProvisioner provisioner = provisioner();
    Disk disk = provisioner.create(new DiskRequest("m-1", 1, DiskTags.forAttempt("vm", "m", 1)));
    Attachment attachment = provisioner.attach(disk.id());

    assertThat(attachment.deviceHints().get(0).kind()).isEqualTo(DeviceHint.DIRECTORY);
    Path mounted = Path.of(attachment.deviceHints().get(0).value());
    Files.writeString(mounted.resolve("dump.bin"), "data");

    assertThatThrownBy(() -> provisioner.delete(disk.id()))
        .isInstanceOf(TransientIaasException.class)
        .hasMessageContaining("detach it");
    provisioner.detach(disk.id());
    provisioner.delete(disk.id());
    assertThat(mounted).doesNotExist();
    try (var left = Files.list(root)) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void missingRootIsAPermanentErrorNamingTheSetting() {
    DiskProvisioner provisioner =
        DiskProvisioners.create("local", Map.of("root", root.resolve("absent").toString()));
    assertThatThrownBy(
            () -> provisioner.create(new DiskRequest("k", 1, DiskTags.forAttempt("vm", "m", 1))))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("does not exist")
        .hasMessageContaining("PGSHUTTLE_LOCAL_DISK_ROOT");
    assertThat(root.resolve("absent")).doesNotExist();
  }

  @Test
  void quotaAndFreeSpaceAreEnforcedWithoutMakingADisk() {
    DiskProvisioner quota =
        DiskProvisioners.create("local", Map.of("root", root.toString(), "capacityGiB", "2"));
    quota.create(new DiskRequest("a", 2, DiskTags.forAttempt("vm", "m", 1)));
    assertThatThrownBy(
            () -> quota.create(new DiskRequest("b", 1, DiskTags.forAttempt("vm", "m", 2))))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("quota exceeded");

    DiskProvisioner huge = provisioner();
    assertThatThrownBy(
            () -> huge.create(new DiskRequest("c", 1_000_000, DiskTags.forAttempt("vm", "m", 3))))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("GiB free");
    assertThat(huge.listByTags(Map.of(DiskTags.ATTEMPT, "3"))).isEmpty();
  }

  @Test
  void unknownProviderNamesTheKnownOnes() {
    assertThatThrownBy(() -> DiskProvisioners.create("azure-classic", Map.of()))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("[local]");
  }
}
