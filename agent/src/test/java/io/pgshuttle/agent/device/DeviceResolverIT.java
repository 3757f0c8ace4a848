package io.pgshuttle.agent.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgshuttle.agent.pipeline.RetryableStepException;
import io.pgshuttle.iaas.DeviceHint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resolution on fake /dev and /sys trees of real files and symbolic links, as each cloud lays them.
 */
class DeviceResolverIT {
  @TempDir Path root;

  private DeviceResolver resolver() {
    return new DeviceResolver(root, Duration.ofSeconds(3), Duration.ofMillis(20));
  }

  private Path device(String name) throws Exception {
    Files.createDirectories(root.resolve("dev"));
    return Files.createFile(root.resolve("dev").resolve(name)).toRealPath();
  }

  private void link(String absolute, String target) throws Exception {
    Path link = root.resolve(absolute.substring(1));
    Files.createDirectories(link.getParent());
    Files.createSymbolicLink(link, Path.of(target));
  }

  @Test
  void awsNvmeLinkWinsOverTheRequestedName() throws Exception {
    Path nvme = device("nvme1n1");
    device("sdf");
    link("/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol0abc123", "../../nvme1n1");

    Path found =
        resolver()
            .resolve(
                List.of(
                    new DeviceHint(
                        DeviceHint.DEVICE_PATH,
                        "/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol0abc123"),
                    new DeviceHint(DeviceHint.DEVICE_PATH, "/dev/sdf")));

    assertThat(found).isEqualTo(nvme);
  }

  @Test
  void laterHintIsUsedWhenTheFirstIsAbsent() throws Exception {
    Path xvdf = device("xvdf");
    Path found =
        resolver()
            .resolve(
                List.of(
                    new DeviceHint(DeviceHint.DEVICE_PATH, "/dev/sdf"),
                    new DeviceHint(DeviceHint.DEVICE_PATH, "/dev/xvdf")));
    assertThat(found).isEqualTo(xvdf);
  }

  @Test
  void openStackTruncatedSerialIsFoundBySuffix() throws Exception {
    Path vdb = device("vdb");
    link("/dev/disk/by-id/virtio-9f1c2a4e-0d65-4c3e-9", "../../vdb");
    Path found =
        resolver()
            .resolve(List.of(new DeviceHint(DeviceHint.BY_ID_SUFFIX, "9f1c2a4e-0d65-4c3e-9")));
    assertThat(found).isEqualTo(vdb);
  }

  @Test
  void azureLunIsFoundThroughSysfsWhenTheUdevLinkIsMissing() throws Exception {
    Path sdd = device("sdd");
    Files.createDirectories(root.resolve("sys/bus/scsi/devices/5:0:0:3/block/sdd"));
    Files.createDirectories(root.resolve("sys/bus/scsi/devices/5:0:0:4/block/sde"));
    Path found =
        resolver()
            .resolve(
                List.of(
                    new DeviceHint(DeviceHint.DEVICE_PATH, "/dev/disk/azure/data/by-lun/3"),
                    new DeviceHint(DeviceHint.SCSI_LUN, "3")));
    assertThat(found).isEqualTo(sdd);
  }

  @Test
  void waitsForADeviceThatAppearsLate() throws Exception {
    CompletableFuture<Void> udev =
        CompletableFuture.runAsync(
            () -> {
              try {
                Thread.sleep(300);
                device("sdg");
                link("/dev/disk/by-id/google-pgshuttle-1", "../../sdg");
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    Path found =
        resolver()
            .resolve(
                List.of(
                    new DeviceHint(DeviceHint.DEVICE_PATH, "/dev/disk/by-id/google-pgshuttle-1")));
    udev.get(5, TimeUnit.SECONDS);
    assertThat(found.getFileName()).hasToString("sdg");
  }

  @Test
  void aDeviceThatNeverAppearsIsARetryableFailureNamingTheHints() {
    DeviceResolver impatient =
        new DeviceResolver(root, Duration.ofMillis(200), Duration.ofMillis(20));
    assertThatThrownBy(
            () ->
                impatient.resolve(
                    List.of(
                        new DeviceHint(DeviceHint.DEVICE_PATH, "/dev/sdz"),
                        new DeviceHint(DeviceHint.SCSI_LUN, "9"))))
        .isInstanceOf(RetryableStepException.class)
        .hasMessageContaining("device-path /dev/sdz")
        .hasMessageContaining("scsi-lun 9");
  }
}
