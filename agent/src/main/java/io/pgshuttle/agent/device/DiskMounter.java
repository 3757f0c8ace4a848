package io.pgshuttle.agent.device;

import io.pgshuttle.agent.pipeline.NonRetryableStepException;
import io.pgshuttle.agent.pipeline.RetryableStepException;
import io.pgshuttle.agent.pipeline.StepException;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Makes an ext4 file system on a new disk's device and mounts it; unmounts it at the end. Both
 * idempotent: a formatted device is not formatted again, a mounted one not mounted again. A device
 * that is a directory already is a file system (the {@code local} provider, and the test stand-ins
 * of the clouds) and is used as it is. Needs root for mkfs and mount. Thread-safe.
 */
public final class DiskMounter {
  private static final String MOUNTS = "/proc/self/mounts";

  @Inject
  public DiskMounter() {}

  /**
   * The directory where the disk's file system can be written: {@code device} itself if it is a
   * directory, else {@code mountPoint} with the device's file system mounted there.
   */
  public Path mount(Path device, Path mountPoint) throws StepException {
    if (Files.isDirectory(device)) {
      return device;
    }
    if (!hasFileSystem(device)) {
      run(List.of("mkfs.ext4", "-F", "-q", "-L", "pgshuttle", device.toString()));
    }
    try {
      Files.createDirectories(mountPoint);
    } catch (IOException e) {
      throw new NonRetryableStepException(
          "cannot create the mount point " + mountPoint + ": " + e.getMessage(), e);
    }
    if (!isMounted(mountPoint)) {
      run(List.of("mount", device.toString(), mountPoint.toString()));
    }
    return mountPoint;
  }

  /** Unmounts {@code mountPoint} if something is mounted there, and removes the directory. */
  public void unmount(Path mountPoint) throws StepException {
    if (isMounted(mountPoint)) {
      run(List.of("umount", mountPoint.toString()));
    }
    try {
      Files.deleteIfExists(mountPoint);
    } catch (IOException e) {
      throw new RetryableStepException(
          "cannot remove the mount point " + mountPoint + ": " + e.getMessage(), e);
    }
  }

  /** Whether a file system is mounted at {@code mountPoint}, by the kernel's mount table. */
  static boolean isMounted(Path mountPoint) throws StepException {
    String target = mountPoint.toAbsolutePath().normalize().toString();
    try {
      for (String line : Files.readAllLines(Path.of(MOUNTS), StandardCharsets.UTF_8)) {
        String[] fields = line.split(" ");
        if (fields.length > 1 && unescape(fields[1]).equals(target)) {
          return true;
        }
      }
      return false;
    } catch (IOException e) {
      throw new RetryableStepException("cannot read " + MOUNTS + ": " + e.getMessage(), e);
    }
  }

  private static boolean hasFileSystem(Path device) throws StepException {
    // blkid exits 2 when the device holds no recognizable file system.
    ProcessResult result =
        execute(List.of("blkid", "-p", "-s", "TYPE", "-o", "value", device.toString()));
    if (result.exitCode() == 0) {
      return !result.output().isBlank();
    }
    if (result.exitCode() == 2) {
      return false;
    }
    throw new RetryableStepException(
        "blkid could not read " + device + " (exit " + result.exitCode() + "): " + result.output());
  }

  /** /proc/mounts escapes blanks and a few other characters as octal. */
  private static String unescape(String field) {
    return field.replace("\\040", " ").replace("\\011", "\t").replace("\\134", "\\");
  }

  private static void run(List<String> command) throws StepException {
    ProcessResult result = execute(command);
    if (result.exitCode() != 0) {
      throw new RetryableStepException(
          String.join(" ", command)
              + " exited "
              + result.exitCode()
              + ": "
              + result.output().strip());
    }
  }

  private record ProcessResult(int exitCode, String output) {}

  private static ProcessResult execute(List<String> command) throws StepException {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return new ProcessResult(process.waitFor(), output);
    } catch (IOException e) {
      throw new NonRetryableStepException(
          "cannot run " + command.get(0) + ": " + e.getMessage() + " (the agent needs it on PATH)",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RetryableStepException("interrupted while running " + command.get(0), e);
    }
  }
}
