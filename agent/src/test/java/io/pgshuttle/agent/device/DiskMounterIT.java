package io.pgshuttle.agent.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Formatting and mounting for real, on a loop device over a file, where this machine allows it
 * (root, and loop devices); skipped with the reason printed where not.
 */
class DiskMounterIT {
  @TempDir Path work;
  private String loopDevice;

  @AfterEach
  void detachLoop() throws Exception {
    if (loopDevice != null) {
      run("umount", work.resolve("mnt").toString());
      run("losetup", "-d", loopDevice);
    }
  }

  @Test
  void formatsMountsOnceAndUnmounts() throws Exception {
    Path image = work.resolve("disk.img");
    try (var file = new java.io.RandomAccessFile(image.toFile(), "rw")) {
      file.setLength(64L << 20);
    }
    Result attached = run("losetup", "-f", "--show", image.toString());
    if (attached.exitCode() != 0) {
      System.out.println("DiskMounterIT skipped: no loop device here: " + attached.output());
    }
    assumeTrue(attached.exitCode() == 0, "no loop device on this machine: " + attached.output());
    loopDevice = attached.output().strip();
    DiskMounter mounter = new DiskMounter();
    Path mountPoint = work.resolve("mnt");

    Path mounted = mounter.mount(Path.of(loopDevice), mountPoint);
    Files.writeString(mounted.resolve("dump.toc"), "written", StandardCharsets.UTF_8);
    Path again = mounter.mount(Path.of(loopDevice), mountPoint);

    assertThat(again).isEqualTo(mountPoint);
    assertThat(DiskMounter.isMounted(mountPoint)).isTrue();
    assertThat(run("blkid", "-s", "TYPE", "-o", "value", loopDevice).output().strip())
        .isEqualTo("ext4");
    assertThat(Files.readString(mountPoint.resolve("dump.toc"))).isEqualTo("written");

    mounter.unmount(mountPoint);
    mounter.unmount(mountPoint);

    assertThat(DiskMounter.isMounted(mountPoint)).isFalse();
    assertThat(mountPoint).doesNotExist();
    // Mounted again, the file system (and what was written) is the same: no second mkfs.
    mounted = mounter.mount(Path.of(loopDevice), mountPoint);
    assertThat(Files.readString(mounted.resolve("dump.toc"))).isEqualTo("written");
  }

  @Test
  void aDirectoryIsUsedAsItIs() throws Exception {
    Path directory = Files.createDirectories(work.resolve("local-disk"));
    assertThat(new DiskMounter().mount(directory, work.resolve("unused"))).isEqualTo(directory);
    assertThat(work.resolve("unused")).doesNotExist();
  }

  private record Result(int exitCode, String output) {}

  private static Result run(String... command) throws IOException, InterruptedException {
    Process process;
    try {
      process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
    } catch (IOException e) {
      return new Result(127, e.getMessage());
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Result(process.waitFor(), output);
  }
}
