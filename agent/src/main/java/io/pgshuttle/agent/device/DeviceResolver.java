package io.pgshuttle.agent.device;

import io.pgshuttle.agent.AgentConfig;
import io.pgshuttle.agent.pipeline.RetryableStepException;
import io.pgshuttle.agent.pipeline.StepException;
import io.pgshuttle.iaas.DeviceHint;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds the device of an attached disk from its hints, polling until one appears or the timeout
 * passes (the kernel and udev may take a while after the cloud says "attached"). Paths are looked
 * up under a root, {@code /} on a VM, so that tests can build fake {@code /dev} and {@code /sys}
 * trees. Stateless and thread-safe.
 */
public final class DeviceResolver {
  static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);
  static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(500);

  private final Path root;
  private final Duration timeout;
  private final Duration pollInterval;

  @Inject
  public DeviceResolver(AgentConfig config) {
    this(config.deviceRoot(), DEFAULT_TIMEOUT, DEFAULT_POLL_INTERVAL);
  }

  public DeviceResolver(Path root, Duration timeout, Duration pollInterval) {
    this.root = root;
    this.timeout = timeout;
    this.pollInterval = pollInterval;
  }

  /**
   * The device (or, for the local provider, directory) of the first hint that resolves, with
   * symbolic links followed.
   *
   * @throws RetryableStepException if none appears within the timeout, naming what was looked for
   */
  public Path resolve(List<DeviceHint> hints) throws StepException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      for (DeviceHint hint : hints) {
        Optional<Path> found = find(hint);
        if (found.isPresent()) {
          return found.get();
        }
      }
      if (System.nanoTime() > deadline) {
        throw new RetryableStepException(
            "the attached disk did not appear within "
                + timeout.toSeconds()
                + " s: looked for "
                + describe(hints)
                + " under "
                + root);
      }
      try {
        Thread.sleep(pollInterval.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RetryableStepException("interrupted while waiting for the disk's device", e);
      }
    }
  }

  private Optional<Path> find(DeviceHint hint) {
    return switch (hint.kind()) {
      case DeviceHint.DIRECTORY -> existing(Path.of(hint.value()));
      case DeviceHint.DEVICE_PATH -> existing(underRoot(hint.value()));
      case DeviceHint.BY_ID_SUFFIX -> byIdSuffix(hint.value());
      case DeviceHint.SCSI_LUN -> scsiLun(hint.value());
      default -> Optional.empty();
    };
  }

  private Optional<Path> byIdSuffix(String suffix) {
    Path byId = underRoot("/dev/disk/by-id");
    for (Path entry : sortedEntries(byId, "*")) {
      if (entry.getFileName().toString().endsWith(suffix)) {
        return existing(entry);
      }
    }
    return Optional.empty();
  }

  /** The block device of {@code /sys/bus/scsi/devices/H:C:T:<lun>/block/<name>}, as /dev/name. */
  private Optional<Path> scsiLun(String lun) {
    Path devices = underRoot("/sys/bus/scsi/devices");
    for (Path device : sortedEntries(devices, "*:*:*:" + lun)) {
      for (Path block : sortedEntries(device.resolve("block"), "*")) {
        Optional<Path> found = existing(underRoot("/dev/" + block.getFileName()));
        if (found.isPresent()) {
          return found;
        }
      }
    }
    return Optional.empty();
  }

  private Path underRoot(String absolute) {
    return root.resolve(absolute.startsWith("/") ? absolute.substring(1) : absolute);
  }

  private static Optional<Path> existing(Path path) {
    try {
      return Files.exists(path) ? Optional.of(path.toRealPath()) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static List<Path> sortedEntries(Path directory, String glob) {
    List<Path> entries = new ArrayList<>();
    if (!Files.isDirectory(directory)) {
      return entries;
    }
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, glob)) {
      stream.forEach(entries::add);
    } catch (IOException e) {
      return entries;
    }
    entries.sort(null);
    return entries;
  }

  private static String describe(List<DeviceHint> hints) {
    return String.join(", ", hints.stream().map(hint -> hint.kind() + " " + hint.value()).toList());
  }
}
