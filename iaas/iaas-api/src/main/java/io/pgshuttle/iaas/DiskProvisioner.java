package io.pgshuttle.iaas;

import java.util.List;
import java.util.Map;

/**
 * Creates, attaches, detaches and deletes auxiliary disks on one IaaS, for the VM the agent runs
 * on.
 *
 * <p>Every method is idempotent: repeating a call that succeeded, or that failed half way, does not
 * make a second disk or fail because the work is done. Methods block until the cloud's operation
 * has finished or its configured timeout passed. Implementations are thread-safe. No argument or
 * result is null.
 *
 * @throws IaasException from every method, {@link IaasException#retryable()} saying whether the
 *     same call may succeed later
 */
public interface DiskProvisioner {

  /** The provider id, such as {@code local} or {@code aws}. */
  String id();

  /**
   * Creates a disk, or returns the one an earlier call with the same {@code request.idempotencyKey}
   * created.
   */
  Disk create(DiskRequest request);

  /** Attaches the disk to this VM; if it is attached already, returns the same attachment. */
  Attachment attach(String diskId);

  /** Detaches the disk from this VM; succeeds if it is not attached or does not exist. */
  void detach(String diskId);

  /** Deletes the disk; succeeds if it does not exist. The disk must be detached. */
  void delete(String diskId);

  /** The disks carrying every one of {@code tags} (all disks for an empty map). */
  List<Disk> listByTags(Map<String, String> tags);
}
