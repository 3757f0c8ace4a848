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
import java.util.Optional;

/**
 * The attempt's disk as the journal records it, and its release: used by PROVISION_DISK's
 * compensation and by CLEANUP. Stateless.
 */
final class Disks {
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
      call("detaching disk " + id, () -> run(() -> provisioner.detach(id)));
      call("deleting disk " + id, () -> run(() -> provisioner.delete(id)));
    }
    journal.remove(JournalEntries.DISK_MOUNT_POINT);
    journal.remove(JournalEntries.DISK_PATH);
    journal.remove(JournalEntries.DISK_ID);
    journal.remove(JournalEntries.DISK_REQUEST);
    return ids;
  }

  private static Void run(Runnable action) {
    action.run();
    return null;
  }
}
