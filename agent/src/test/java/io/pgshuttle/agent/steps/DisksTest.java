package io.pgshuttle.agent.steps;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DisksTest {
  private static final Path STATE = Path.of("/var/vcap/store/pgshuttle");

  @Test
  void aPlainDiskIdNamesItsMountPointAsItIs() {
    assertThat(Disks.mountPoint(STATE, "vol-0a1b2c3d"))
        .isEqualTo(STATE.resolve("mnt/vol-0a1b2c3d"));
  }

  @Test
  void anyOtherIdStaysOneDirectoryUnderTheStateDirectory() {
    String armId =
        "/subscriptions/s-1/resourceGroups/rg/providers/Microsoft.Compute/disks/pgshuttle-1";

    assertThat(Disks.mountPoint(STATE, armId))
        .isEqualTo(
            STATE.resolve(
                "mnt/%002fsubscriptions%002fs-1%002fresourceGroups%002frg%002fproviders"
                    + "%002fMicrosoft%002eCompute%002fdisks%002fpgshuttle-1"));
    assertThat(Disks.mountPoint(STATE, "..")).isEqualTo(STATE.resolve("mnt/%002e%002e"));
    assertThat(Disks.mountPoint(STATE, "a b/é")).isEqualTo(STATE.resolve("mnt/a%0020b%002f%00e9"));
  }
}
