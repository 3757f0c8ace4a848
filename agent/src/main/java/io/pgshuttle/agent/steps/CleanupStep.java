package io.pgshuttle.agent.steps;

import io.pgshuttle.agent.AgentConfig;
import io.pgshuttle.agent.device.DiskMounter;
import io.pgshuttle.agent.pipeline.AttemptContext;
import io.pgshuttle.agent.pipeline.AttemptRecords;
import io.pgshuttle.agent.pipeline.NonRetryableStepException;
import io.pgshuttle.agent.pipeline.PipelineStep;
import io.pgshuttle.agent.pipeline.StepException;
import io.pgshuttle.agent.postgres.PgConnector;
import io.pgshuttle.iaas.DiskProvisioner;
import io.pgshuttle.messages.Step;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * CLEANUP: removes the dump, detaches and deletes the disk, and (unless the request keeps the
 * source locked) opens the source again with its saved settings. Journal-driven and idempotent.
 */
public final class CleanupStep implements PipelineStep {
  private final AgentConfig config;
  private final PgConnector connector;
  private final DiskProvisioner provisioner;
  private final DiskMounter mounter;

  @Inject
  public CleanupStep(
      AgentConfig config, PgConnector connector, DiskProvisioner provisioner, DiskMounter mounter) {
    this.config = config;
    this.connector = connector;
    this.provisioner = provisioner;
    this.mounter = mounter;
  }

  @Override
  public Step name() {
    return Step.CLEANUP;
  }

  @Override
  public void execute(AttemptContext context) throws StepException {
    Path diskPath =
        context.journal().get(JournalEntries.DISK_PATH, String.class).map(Path::of).orElse(null);
    if (diskPath != null) {
      Path dump = JournalEntries.dumpDirectory(context.journal());
      try {
        FileTrees.delete(dump);
      } catch (IOException e) {
        throw new NonRetryableStepException(
            "cannot delete the dump in " + dump + ": " + e.getMessage(), e);
      }
    }
    List<String> deleted = Disks.release(provisioner, mounter, context.journal());
    boolean keepLocked = context.command().options().keepSourceLocked();
    if (!keepLocked) {
      SourceLock.reopen(connector, Endpoints.source(config), context.journal());
    }
    AttemptRecords.recordSummary(
        context.journal(),
        Step.CLEANUP,
        "dump removed, "
            + (deleted.isEmpty()
                ? "no disk to delete"
                : "disk " + String.join(", ", deleted) + " deleted")
            + (keepLocked
                ? "; the source stays closed to applications, as requested"
                : "; the source is open again"));
  }
}
