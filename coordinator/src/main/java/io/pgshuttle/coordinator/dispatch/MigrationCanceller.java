package io.pgshuttle.coordinator.dispatch;

import io.pgshuttle.coordinator.audit.AuditAction;
import io.pgshuttle.coordinator.audit.AuditLog;
import io.pgshuttle.coordinator.audit.AuditRecord;
import io.pgshuttle.coordinator.status.AttemptState;
import io.pgshuttle.coordinator.status.MigrationState;
import io.pgshuttle.coordinator.store.Attempts;
import io.pgshuttle.coordinator.store.CancelRequest;
import io.pgshuttle.coordinator.store.Database;
import io.pgshuttle.coordinator.store.MigrationRow;
import io.pgshuttle.coordinator.store.Migrations;
import io.pgshuttle.coordinator.store.Outbox;
import io.pgshuttle.messages.MigrationId;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cancels migrations, in one transaction holding the migration's lock. A migration no agent is
 * working on (PENDING, waiting for its next attempt, or whose StartMigration has not gone out) ends
 * CANCELLED at once. A migration whose attempt is with its agent gets the request recorded and a
 * CancelMigration queued in the outbox for the agent's control queue; it ends CANCELLED when that
 * attempt ends, and is never retried. A repeated cancel changes nothing. Every request, whatever
 * its outcome, is written to the audit log with who asked. Thread-safe.
 */
public final class MigrationCanceller {
  private static final Logger log = LoggerFactory.getLogger(MigrationCanceller.class);

  private final Database database;
  private final Migrations migrations;
  private final Attempts attempts;
  private final Outbox outbox;
  private final AttemptOutcomes outcomes;
  private final DispatchSignal signal;
  private final AuditLog auditLog;

  @Inject
  public MigrationCanceller(
      Database database,
      Migrations migrations,
      Attempts attempts,
      Outbox outbox,
      AttemptOutcomes outcomes,
      DispatchSignal signal,
      AuditLog auditLog) {
    this.database = database;
    this.migrations = migrations;
    this.attempts = attempts;
    this.outbox = outbox;
    this.outcomes = outcomes;
    this.signal = signal;
    this.auditLog = auditLog;
  }

  /**
   * Cancels the migration.
   *
   * @param reason why, for the status and the agent's log; null when none is given
   * @param who who asks, for the audit log
   * @throws io.pgshuttle.coordinator.store.StoreException if the store failed (nothing changed;
   *     cancelling again is safe)
   */
  public CancelOutcome cancel(MigrationId id, String reason, String who) {
    CancelOutcome outcome =
        database.inTransaction(
            connection -> {
              CancelOutcome result = cancel(connection, id, reason);
              auditLog.record(connection, audit(id, reason, who, result));
              return result;
            });
    if (outcome instanceof CancelOutcome.Accepted) {
      // A CancelMigration or a MigrationCancelled may wait in the outbox.
      signal.wake();
    }
    return outcome;
  }

  private CancelOutcome cancel(Connection connection, MigrationId id, String reason)
      throws SQLException {
    Optional<MigrationRow> locked = migrations.lock(connection, id);
    if (locked.isEmpty()) {
      return new CancelOutcome.Unknown();
    }
    MigrationRow migration = locked.get();
    if (migration.state() == MigrationState.CANCELLED) {
      log.info("migration {} is CANCELLED already: nothing more to do", id);
      return new CancelOutcome.Accepted(migration.state());
    }
    if (!migration.state().isLive()) {
      log.info("not cancelling migration {}: it ended {} already", id, migration.state());
      return new CancelOutcome.AlreadyEnded(migration.state());
    }
    if (!migrations.requestCancel(connection, id, reason)) {
      log.info("migration {}: cancel requested again; the first request stands", id);
      return new CancelOutcome.Accepted(migration.state());
    }
    CancelRequest cancel = migrations.cancelRequest(connection, id).orElseThrow();
    int attempt = migration.attempt();
    if (attempt > 0 && attempts.isWithAgent(connection, id, attempt)) {
      outbox.addCancel(connection, id, attempt);
      log.info(
          "migration {}: cancel requested ({}); telling the agent of instance {} to stop attempt {}",
          id,
          cancel.reasonText(),
          migration.instanceId(),
          attempt);
      return new CancelOutcome.Accepted(migration.state());
    }
    outcomes.cancelMigration(connection, migration, cancel, circumstance(connection, migration));
    return new CancelOutcome.Accepted(MigrationState.CANCELLED);
  }

  private static AuditRecord audit(
      MigrationId id, String reason, String who, CancelOutcome outcome) {
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("reason", reason);
    if (outcome instanceof CancelOutcome.Accepted accepted) {
      detail.put("outcome", "ACCEPTED");
      detail.put("state", accepted.state().name());
    } else if (outcome instanceof CancelOutcome.AlreadyEnded ended) {
      detail.put("outcome", "ALREADY_ENDED");
      detail.put("state", ended.state().name());
    } else {
      detail.put("outcome", "UNKNOWN_MIGRATION");
    }
    return new AuditRecord(who, AuditAction.CANCEL_REQUESTED, id, null, detail);
  }

  /** What a cancel of a migration no agent is working on meets, for its error. */
  private String circumstance(Connection connection, MigrationRow migration) throws SQLException {
    int attempt = migration.attempt();
    if (attempt == 0) {
      return "before its first attempt";
    }
    boolean live =
        attempts.state(connection, migration.id(), attempt).map(AttemptState::isLive).orElse(false);
    return live
        ? "before attempt " + attempt + " reached the agent"
        : "while waiting to start attempt " + (attempt + 1);
  }
}
