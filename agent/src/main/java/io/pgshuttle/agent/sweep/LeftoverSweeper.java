package io.pgshuttle.agent.sweep;

import io.pgshuttle.agent.AgentConfig;
import io.pgshuttle.agent.device.DiskMounter;
import io.pgshuttle.agent.pipeline.AttemptFailure;
import io.pgshuttle.agent.pipeline.AttemptJournalStore;
import io.pgshuttle.agent.pipeline.AttemptStatus;
import io.pgshuttle.agent.pipeline.FileAttemptJournal;
import io.pgshuttle.agent.pipeline.Rollbacks;
import io.pgshuttle.agent.pipeline.StepException;
import io.pgshuttle.agent.postgres.Databases;
import io.pgshuttle.agent.postgres.Jdbc;
import io.pgshuttle.agent.postgres.PgConnector;
import io.pgshuttle.agent.postgres.PgEndpoint;
import io.pgshuttle.agent.postgres.PgErrors;
import io.pgshuttle.agent.steps.Disks;
import io.pgshuttle.agent.steps.PlannedDatabase;
import io.pgshuttle.iaas.Disk;
import io.pgshuttle.iaas.DiskProvisioner;
import io.pgshuttle.iaas.DiskTags;
import io.pgshuttle.iaas.IaasException;
import io.pgshuttle.messages.EndedMigration;
import io.pgshuttle.messages.Leftover;
import io.pgshuttle.messages.LeftoversSwept;
import io.pgshuttle.messages.MigrationId;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes what pgshuttle made for this agent's instance and no attempt will remove any more, and
 * says what it removed and what it could not.
 *
 * <p><b>Disks</b> tagged {@code created-by=pgshuttle} and {@code pgshuttle-instance=<this
 * instance>}: every attempt deletes its own disk on success and on rollback, so the disk of an
 * attempt that has ended is a leftover (a cloud error, a kill at the wrong moment). A disk is
 * removed (unmounted, detached, deleted) when this agent's journal says its attempt ended, or when
 * the sweep names its migration as ended. A disk whose attempt's journal says RUNNING is never
 * touched; nor is one of an attempt this agent never journaled whose migration the sweep does not
 * name: another agent of the instance (a standby, or one with a state directory of its own) may be
 * running it.
 *
 * <p><b>Ended migrations</b> (named by the coordinator, each with its target and password): unless
 * an attempt of the migration runs here (its journal says RUNNING), the rollbacks its attempts
 * could not finish are finished with that target (see {@link Rollbacks#finish}), then every
 * database {@code pgshuttle_stage_<first 12 hex digits of the migration id>_<n>} on the target is
 * dropped, its sessions ended first.
 *
 * <p>Thread-safe: sweeps run one at a time (a second waits for the first), alongside attempts.
 * Methods never throw and take no null; what fails is reported, never the target password.
 */
@Singleton
public final class LeftoverSweeper {
  private static final Logger log = LoggerFactory.getLogger(LeftoverSweeper.class);

  private final String instanceId;
  private final Path stateDir;
  private final DiskProvisioner provisioner;
  private final DiskMounter mounter;
  private final AttemptJournalStore journals;
  private final Rollbacks rollbacks;
  private final PgConnector connector;

  @Inject
  public LeftoverSweeper(
      AgentConfig config,
      DiskProvisioner provisioner,
      DiskMounter mounter,
      AttemptJournalStore journals,
      Rollbacks rollbacks,
      PgConnector connector) {
    this.instanceId = config.instanceId();
    this.stateDir = config.stateDir();
    this.provisioner = provisioner;
    this.mounter = mounter;
    this.journals = journals;
    this.rollbacks = rollbacks;
    this.connector = connector;
  }

  /** The sweep the agent makes on its own: disks of attempts that ended, under a new sweep id. */
  public LeftoversSwept sweepDisks() {
    return sweep(UUID.randomUUID(), List.of());
  }

  /**
   * Sweeps the disks, then what each ended migration left on its target.
   *
   * @param ended the migrations of this instance the coordinator knows to have ended
   * @return the report; a migration is clean in it when nothing of it is left
   */
  public synchronized LeftoversSwept sweep(UUID sweepId, List<EndedMigration> ended) {
    Report report = new Report();
    List<Disk> disks = listDisks(report);
    // Journals are read after the disks are listed: an attempt journals itself before it makes
    // its disk, so a listed disk whose attempt is not RUNNING now has been released by it, or
    // left behind; it cannot be the disk of an attempt that starts during the sweep.
    Map<AttemptKey, AttemptStatus> attempts = attemptStatuses();
    Set<MigrationId> running = new HashSet<>();
    attempts.forEach(
        (attempt, status) -> {
          if (status == AttemptStatus.RUNNING) {
            running.add(attempt.migrationId());
          }
        });
    List<EndedMigration> sweepable = new ArrayList<>();
    for (EndedMigration migration : ended) {
      MigrationId id = migration.migrationId();
      if (running.contains(id)) {
        report.notRemoved(
            Leftover.Kind.MIGRATION,
            id.toString(),
            id,
            "an attempt of it runs on this agent (its journal says RUNNING): its leftovers are"
                + " swept after that attempt ends");
      } else {
        sweepable.add(migration);
      }
    }
    Set<MigrationId> sweepableIds = new LinkedHashSet<>();
    sweepable.forEach(migration -> sweepableIds.add(migration.migrationId()));
    removeLeftoverDisks(disks, attempts, sweepableIds, report);
    for (EndedMigration migration : sweepable) {
      try {
        sweepTarget(migration, report);
      } catch (RuntimeException e) {
        log.error("sweeping migration {} failed unexpectedly", migration.migrationId(), e);
        report.notRemoved(
            Leftover.Kind.MIGRATION,
            migration.migrationId().toString(),
            migration.migrationId(),
            "unexpected error, see the agent's log: " + e);
      }
    }
    LeftoversSwept swept = report.toEvent(sweepId, sweepableIds);
    if (!swept.isEmpty()) {
      log.info(
          "sweep {}: removed {}; not removed {}",
          sweepId,
          swept.removed().size(),
          swept.notRemoved().size());
    }
    return swept;
  }

  private record AttemptKey(MigrationId migrationId, int attempt) {}

  /** The status of every attempt this agent (or another on its state directory) journaled. */
  private Map<AttemptKey, AttemptStatus> attemptStatuses() {
    Map<AttemptKey, AttemptStatus> statuses = new HashMap<>();
    for (FileAttemptJournal journal : journals.all()) {
      var command = journal.command();
      statuses.put(new AttemptKey(command.migrationId(), command.attempt()), journal.status());
    }
    return statuses;
  }

  /** This instance's disks; none, with the reason in the report, if they cannot be listed. */
  private List<Disk> listDisks(Report report) {
    try {
      return provisioner.listByTags(DiskTags.forInstance(instanceId));
    } catch (IaasException e) {
      report.notRemoved(
          Leftover.Kind.DISK,
          "*",
          null,
          "cannot list the disks of this instance: " + e.getMessage());
      report.disksUnknown = true;
      return List.of();
    }
  }

  /**
   * Removes the disks of attempts that ended here, and of the {@code ended} migrations; keeps those
   * of running attempts and of attempts this agent never journaled.
   */
  private void removeLeftoverDisks(
      List<Disk> disks,
      Map<AttemptKey, AttemptStatus> attempts,
      Set<MigrationId> ended,
      Report report) {
    for (Disk disk : disks) {
      MigrationId migration = migrationOf(disk);
      Integer attempt = attemptOf(disk);
      AttemptStatus status =
          migration == null || attempt == null
              ? null
              : attempts.get(new AttemptKey(migration, attempt));
      boolean leftover =
          status == null
              ? migration != null && ended.contains(migration)
              : status != AttemptStatus.RUNNING;
      if (!leftover) {
        continue;
      }
      try {
        Disks.remove(provisioner, mounter, stateDir, disk.id());
        log.info("removed disk {} of migration {} attempt {}", disk.id(), migration, attempt);
        report.removed(Leftover.Kind.DISK, disk.id(), migration, null);
      } catch (StepException | RuntimeException e) {
        report.notRemoved(Leftover.Kind.DISK, disk.id(), migration, e.getMessage());
      }
    }
  }

  private static MigrationId migrationOf(Disk disk) {
    try {
      String tag = disk.tags().get(DiskTags.MIGRATION_ID);
      return tag == null ? null : MigrationId.parse(tag);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static Integer attemptOf(Disk disk) {
    try {
      String tag = disk.tags().get(DiskTags.ATTEMPT);
      return tag == null ? null : Integer.valueOf(tag);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Finishes the migration's unfinished rollbacks, then drops its staging databases. */
  private void sweepTarget(EndedMigration migration, Report report) {
    MigrationId id = migration.migrationId();
    PgEndpoint target = PgEndpoint.target(migration.target());
    String prefix = PlannedDatabase.stagingPrefix(id);
    List<String> before;
    try {
      before = stagingDatabases(target, prefix);
    } catch (StepException e) {
      // Listed again below, where a failure is reported.
      before = List.of();
    }
    for (FileAttemptJournal journal : journals.ofMigration(id)) {
      finishRollback(journal, migration, report);
    }
    try (Connection connection = connector.connectMaintenance(target)) {
      List<String> left =
          PgErrors.on(
              target,
              "listing the staging databases of migration " + id,
              () -> stagingDatabases(connection, prefix));
      for (String name : before) {
        if (!left.contains(name)) {
          // The rollback dropped it.
          report.removed(Leftover.Kind.DATABASE, name, id, null);
        }
      }
      for (String name : left) {
        drop(connection, target, name, id, report);
      }
    } catch (StepException e) {
      report.notRemoved(Leftover.Kind.DATABASE, prefix + "*", id, e.getMessage());
    } catch (SQLException e) {
      log.debug("closing the connection to the {}: {}", target, e.getMessage());
    }
  }

  private void finishRollback(FileAttemptJournal journal, EndedMigration migration, Report report) {
    AttemptFailure failure = journal.failure().orElse(null);
    if (journal.status() == AttemptStatus.RUNNING
        || failure == null
        || failure.rollbackErrors().isEmpty()) {
      return;
    }
    String name = "attempt " + journal.command().attempt();
    List<String> left = rollbacks.finish(journal, migration.target());
    if (left.isEmpty()) {
      report.removed(
          Leftover.Kind.ROLLBACK,
          name,
          migration.migrationId(),
          String.join("; ", failure.rollbackErrors()));
    } else {
      report.notRemoved(
          Leftover.Kind.ROLLBACK, name, migration.migrationId(), String.join("; ", left));
    }
  }

  private void drop(
      Connection connection, PgEndpoint target, String name, MigrationId id, Report report) {
    try {
      PgErrors.on(
          target,
          "dropping the staging database " + name,
          () -> {
            Databases.dropIfExists(connection, name);
            return null;
          });
      log.info("dropped the staging database {} of migration {} on the {}", name, id, target);
      report.removed(Leftover.Kind.DATABASE, name, id, null);
    } catch (StepException e) {
      report.notRemoved(Leftover.Kind.DATABASE, name, id, e.getMessage());
    }
  }

  private List<String> stagingDatabases(PgEndpoint target, String prefix) throws StepException {
    try (Connection connection = connector.connectMaintenance(target)) {
      return PgErrors.on(
          target, "listing the staging databases", () -> stagingDatabases(connection, prefix));
    } catch (SQLException e) {
      throw PgErrors.translate(target, "closing the connection", e);
    }
  }

  /** The databases named {@code <prefix><n>}: only a migration's own staging databases. */
  private static List<String> stagingDatabases(Connection connection, String prefix)
      throws SQLException {
    Pattern staging = Pattern.compile(Pattern.quote(prefix) + "\\d+");
    return Jdbc.list(
            connection,
            "SELECT datname FROM pg_database WHERE left(datname, ?) = ? ORDER BY 1",
            row -> row.getString(1),
            prefix.length(),
            prefix)
        .stream()
        .filter(name -> staging.matcher(name).matches())
        .toList();
  }

  /** What one sweep removed and did not; used by one thread. */
  private static final class Report {
    private final List<Leftover> removed = new ArrayList<>();
    private final List<Leftover> notRemoved = new ArrayList<>();

    /** The disks could not be listed: any migration may still have one. */
    private boolean disksUnknown;

    void removed(Leftover.Kind kind, String name, MigrationId migration, String detail) {
      removed.add(new Leftover(kind, name, migration, detail));
    }

    void notRemoved(Leftover.Kind kind, String name, MigrationId migration, String why) {
      log.warn("could not sweep {} {}: {}", kind, name, why);
      notRemoved.add(new Leftover(kind, name, migration, why));
    }

    /** The report; a swept migration is clean when nothing of it is in {@code notRemoved}. */
    LeftoversSwept toEvent(UUID sweepId, Collection<MigrationId> swept) {
      Set<MigrationId> unclean = new HashSet<>();
      notRemoved.forEach(leftover -> unclean.add(leftover.migrationId()));
      List<MigrationId> clean =
          disksUnknown ? List.of() : swept.stream().filter(id -> !unclean.contains(id)).toList();
      return new LeftoversSwept(sweepId, removed, notRemoved, clean);
    }
  }
}
