package io.pgshuttle.agent.steps;

import io.pgshuttle.agent.AgentConfig;
import io.pgshuttle.agent.device.DeviceResolver;
import io.pgshuttle.agent.device.DiskMounter;
import io.pgshuttle.agent.pipeline.AttemptContext;
import io.pgshuttle.agent.pipeline.AttemptRecords;
import io.pgshuttle.agent.pipeline.NonRetryableStepException;
import io.pgshuttle.agent.pipeline.PipelineStep;
import io.pgshuttle.agent.pipeline.StepException;
import io.pgshuttle.iaas.Attachment;
import io.pgshuttle.iaas.Disk;
import io.pgshuttle.iaas.DiskProvisioner;
import io.pgshuttle.iaas.DiskRequest;
import io.pgshuttle.iaas.DiskTags;
import io.pgshuttle.messages.Step;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * PROVISION_DISK: creates the attempt's disk (at least the configured size, and one and a half
 * times the source's size), attaches it and finds where it is mounted. Records the disk's tags
 * before creating it and its id before attaching it, so the compensation (detach, delete) finds it
 * whenever the agent stopped. The device is found from the provider's hints; a block device gets an
 * ext4 file system and is mounted under the state directory's {@code mnt/}, the mount point
 * recorded before mounting; a directory (the {@code local} provider) is used as it is.
 */
public final class ProvisionDiskStep implements PipelineStep {
  private static final long GIB = 1L << 30;
  private static final double SIZE_FACTOR = 1.5;

  private final AgentConfig config;
  private final DiskProvisioner provisioner;
  private final DeviceResolver resolver;
  private final DiskMounter mounter;

  @Inject
  public ProvisionDiskStep(
      AgentConfig config,
      DiskProvisioner provisioner,
      DeviceResolver resolver,
      DiskMounter mounter) {
    this.config = config;
    this.provisioner = provisioner;
    this.resolver = resolver;
    this.mounter = mounter;
  }

  @Override
  public Step name() {
    return Step.PROVISION_DISK;
  }

  /** The disk size for a source of {@code sourceBytes}: 1.5 times it, at least {@code minimum}. */
  static int sizeGiB(int minimumGiB, long sourceBytes) {
    long needed = (long) Math.ceil(SIZE_FACTOR * sourceBytes / GIB);
    return (int) Math.max(minimumGiB, needed);
  }

  @Override
  public void execute(AttemptContext context) throws StepException {
    MigrationPlan plan = JournalEntries.plan(context.journal());
    Map<String, String> tags =
        DiskTags.forAttempt(
            context.instanceId(), context.migrationId().toString(), context.attempt());
    DiskRequest request =
        new DiskRequest(
            context.migrationId() + "-" + context.attempt(),
            sizeGiB(config.diskSizeGiB(), plan.totalBytes()),
            tags);
    context
        .journal()
        .put(JournalEntries.DISK_REQUEST, new RequestedDisk(request.idempotencyKey(), tags));
    Disk disk = Disks.call("creating a disk", () -> provisioner.create(request));
    context.journal().put(JournalEntries.DISK_ID, disk.id());
    context.cancellation().throwIfCancelled();
    Attachment attachment =
        Disks.call("attaching disk " + disk.id(), () -> provisioner.attach(disk.id()));
    Path device = resolver.resolve(attachment.deviceHints());
    Path mountPoint = Disks.mountPoint(config.stateDir(), disk.id());
    if (!Files.isDirectory(device)) {
      context.journal().put(JournalEntries.DISK_MOUNT_POINT, mountPoint.toString());
    }
    Path path = writable(mounter.mount(device, mountPoint));
    context.journal().put(JournalEntries.DISK_PATH, path.toString());
    AttemptRecords.recordSummary(
        context.journal(),
        Step.PROVISION_DISK,
        "disk " + disk.id() + " of " + disk.sizeGiB() + " GiB at " + path);
  }

  private static Path writable(Path path) throws NonRetryableStepException {
    if (!Files.isWritable(path)) {
      throw new NonRetryableStepException(
          "the disk's file system at " + path + " is not writable: check the disk provider");
    }
    return path;
  }

  @Override
  public void compensate(AttemptContext context) throws StepException {
    Disks.release(provisioner, mounter, context.journal());
  }
}
