package io.pgshuttle.agent.steps;

import io.pgshuttle.agent.device.DiskMounter;
import io.pgshuttle.agent.pipeline.AttemptJournal;
import io.pgshuttle.agent.pipeline.NonRetryableStepException;
import io.pgshuttle.agent.pipeline.RetryableStepException;
import io.pgshuttle.agent.pipeline.StepException;
import io.pgshuttle.iaas.Disk;
import io.pgshuttle.iaas.DiskProvisioner;
import io.pgshuttle.iaas.IaasException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The attempt's disk as the journal records it, and its release: used by PROVISION_DISK's
 * compensation, by CLEANUP, and (by disk id) by the sweeper. Stateless.
 */
public final class Disks {
  private Disks() {}

  /** A provider call that may throw an {@link IaasException}. */
  @FunctionalInterface
  interface IaasCall<T> {
    T run();
  }

  /** Runs {@code call}, turning a provider error into a step failure with its message. */
  static <T> T call(String action, IaasCall<T> call) throws StepException {
    try {
      return call.run();
    } catch (IaasException e) {
      String message = action + ": " + e.getMessage();
      throw e.retryable()
          ? new RetryableStepException(message, e)
          : new NonRetryableStepException(message, e);
    }
  }

  /**
   * Unmounts, detaches and deletes the attempt's disk, found by the id in the journal or, if the
   * agent died between creating it and recording the id, by the tags it was created with. Then
   * forgets it. Idempotent.
   *
   * @return the ids of the disks deleted
   */
  static List<String> release(
      DiskProvisioner provisioner, DiskMounter mounter, AttemptJournal journal)
      throws StepException {
    Optional<String> mountPoint = journal.get(JournalEntries.DISK_MOUNT_POINT, String.class);
    if (mountPoint.isPresent()) {
      mounter.unmount(Path.of(mountPoint.get()));
    }
    List<String> ids = new ArrayList<>();
    journal.get(JournalEntries.DISK_ID, String.class).ifPresent(ids::add);
    if (ids.isEmpty()) {
      RequestedDisk requested =
          journal.get(JournalEntries.DISK_REQUEST, RequestedDisk.class).orElse(null);
      if (requested != null) {
        for (Disk disk :
            call("finding the disk by its tags", () -> provisioner.listByTags(requested.tags()))) {
          ids.add(disk.id());
        }
      }
    }
    for (String id : ids) {
      detachAndDelete(provisioner, id);
    }
    journal.remove(JournalEntries.DISK_MOUNT_POINT);
    journal.remove(JournalEntries.DISK_PATH);
    journal.remove(JournalEntries.DISK_ID);
    journal.remove(JournalEntries.DISK_REQUEST);
    return ids;
  }

  /**
   * Where PROVISION_DISK mounts disk {@code diskId} when its device is a block device: a directory
   * of {@code <stateDir>/mnt} named by the id, each character other than a letter, digit, {@code -}
   * or {@code _} written as {@code %} and four hex digits. An id is the provider's (Azure's is a
   * whole resource path, {@code /subscriptions/...}): as it is, it could name a place anywhere.
   */
  static Path mountPoint(Path stateDir, String diskId) {
    StringBuilder name = new StringBuilder(diskId.length());
    for (char c : diskId.toCharArray()) {
      if (c < 128 && (Character.isLetterOrDigit(c) || c == '-' || c == '_')) {
        name.append(c);
      } else {
        name.append(String.format(Locale.ROOT, "%%%04x", (int) c));
      }
    }
    return stateDir.resolve("mnt").resolve(name.toString());
  }

  /**
   * Unmounts disk {@code diskId} from where PROVISION_DISK mounts it (if it is mounted), detaches
   * and deletes it: for a disk no journal leads to. Idempotent.
   *
   * @throws StepException naming the disk and what failed
   */
  public static void remove(
      DiskProvisioner provisioner, DiskMounter mounter, Path stateDir, String diskId)
      throws StepException {
    mounter.unmount(mountPoint(stateDir, diskId));
    detachAndDelete(provisioner, diskId);
  }

  private static void detachAndDelete(DiskProvisioner provisioner, String id) throws StepException {
    call("detaching disk " + id, () -> run(() -> provisioner.detach(id)));
    call("deleting disk " + id, () -> run(() -> provisioner.delete(id)));
  }

  private static Void run(Runnable action) {
    action.run();
    return null;
  }
}
