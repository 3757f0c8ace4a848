package io.pgshuttle.coordinator.sweep;

import io.pgshuttle.amqp.AmqpException;
import io.pgshuttle.amqp.PublishOutcome;
import io.pgshuttle.coordinator.CoordinatorMetrics;
import io.pgshuttle.coordinator.audit.AuditAction;
import io.pgshuttle.coordinator.audit.AuditLog;
import io.pgshuttle.coordinator.audit.AuditRecord;
import io.pgshuttle.coordinator.dispatch.SignedPublisher;
import io.pgshuttle.coordinator.status.SweepInstanceState;
import io.pgshuttle.coordinator.status.SweepStatus;
import io.pgshuttle.coordinator.status.SweepTrigger;
import io.pgshuttle.coordinator.store.Database;
import io.pgshuttle.coordinator.store.MigrationRow;
import io.pgshuttle.coordinator.store.Migrations;
import io.pgshuttle.coordinator.store.StoreException;
import io.pgshuttle.coordinator.store.Sweeps;
import io.pgshuttle.messages.EndedMigration;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.SweepLeftovers;
import io.pgshuttle.messages.Topology;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts sweeps of leftovers and reads them back. A sweep names, to the agent of each instance, the
 * instance's migrations that ended (FAILED or CANCELLED) and whose leftovers are not known to be
 * gone, each with its target and password, in a SweepLeftovers on the agent's control queue
 * (mandatory, with publisher confirms). The sweep is recorded before it is sent; it is not sent
 * through the outbox, since a sweep lost to a crash is simply made again by the next one.
 * Migrations no attempt of which ever reached an agent are marked swept without asking anyone.
 * Thread-safe.
 */
public final class LeftoverSweeps {
  private static final Logger log = LoggerFactory.getLogger(LeftoverSweeps.class);

  /** The most ended migrations one sweep names, oldest first; the others wait for the next. */
  static final int MAX_MIGRATIONS = 200;

  private static final Duration POLL_INTERVAL = Duration.ofMillis(200);

  private final Database database;
  private final Migrations migrations;
  private final Sweeps sweeps;
  private final SignedPublisher publisher;
  private final Topology topology;
  private final CoordinatorMetrics metrics;
  private final AuditLog auditLog;

  @Inject
  public LeftoverSweeps(
      Database database,
      Migrations migrations,
      Sweeps sweeps,
      SignedPublisher publisher,
      Topology topology,
      CoordinatorMetrics metrics,
      AuditLog auditLog) {
    this.database = database;
    this.migrations = migrations;
    this.sweeps = sweeps;
    this.publisher = publisher;
    this.topology = topology;
    this.metrics = metrics;
    this.auditLog = auditLog;
  }

  /**
   * Records a sweep and sends it.
   *
   * @param instanceId only this instance, whose agent is asked even when none of its migrations is
   *     to be swept (it sweeps its disks then); null for every instance with a migration to sweep
   * @param who who asks, for the audit log
   * @return the sweep's id
   * @throws StoreException if the store failed before anything was sent
   */
  public UUID start(SweepTrigger trigger, String instanceId, String who) {
    UUID sweepId = UUID.randomUUID();
    Map<String, List<EndedMigration>> byInstance =
        database.inTransaction(
            connection -> {
              Map<String, List<EndedMigration>> recorded =
                  record(connection, sweepId, trigger, instanceId);
              Map<String, Object> detail = new LinkedHashMap<>();
              detail.put("sweepId", sweepId.toString());
              detail.put("trigger", trigger.name());
              detail.put("instances", recorded.size());
              auditLog.record(
                  connection,
                  new AuditRecord(who, AuditAction.GC_REQUESTED, null, instanceId, detail));
              return recorded;
            });
    byInstance.forEach((instance, ended) -> send(sweepId, instance, ended));
    return sweepId;
  }

  private Map<String, List<EndedMigration>> record(
      Connection connection, UUID sweepId, SweepTrigger trigger, String instanceId)
      throws SQLException {
    int neverDispatched = sweeps.markNeverDispatchedSwept(connection, instanceId);
    if (neverDispatched > 0) {
      log.info(
          "{} ended migrations never reached an agent: nothing of them to sweep", neverDispatched);
    }
    Map<String, List<EndedMigration>> byInstance = new TreeMap<>();
    if (instanceId != null) {
      byInstance.put(instanceId, new ArrayList<>());
    }
    for (MigrationRow migration : sweeps.unswept(connection, instanceId, MAX_MIGRATIONS)) {
      byInstance
          .computeIfAbsent(migration.instanceId(), instance -> new ArrayList<>())
          .add(
              new EndedMigration(
                  migration.id(), migrations.dispatchPayload(connection, migration.id()).target()));
    }
    sweeps.insert(connection, sweepId, trigger, instanceId);
    for (Map.Entry<String, List<EndedMigration>> instance : byInstance.entrySet()) {
      sweeps.insertInstance(
          connection,
          sweepId,
          instance.getKey(),
          instance.getValue().stream().map(EndedMigration::migrationId).toList());
    }
    return byInstance;
  }

  /** Publishes one instance's SweepLeftovers and records what became of it. */
  private void send(UUID sweepId, String instanceId, List<EndedMigration> ended) {
    SweepLeftovers command = new SweepLeftovers(instanceId, sweepId, ended);
    Envelope<SweepLeftovers> envelope =
        Envelope.of(instanceId, command.envelopeId(), 0, 0, command);
    SweepInstanceState state;
    String error = null;
    try {
      PublishOutcome outcome = publisher.publishCommand(topology.controlExchange(), envelope);
      if (outcome == PublishOutcome.ROUTED) {
        state = SweepInstanceState.SENT;
        metrics.sweepsSent().inc();
        log.info(
            "sweep {}: asked the agent of instance {} to sweep {} ended migrations {}",
            sweepId,
            instanceId,
            ended.size(),
            ended.stream().map(EndedMigration::migrationId).map(MigrationId::toString).toList());
      } else {
        state = SweepInstanceState.NO_AGENT;
        error =
            "no agent for instance "
                + instanceId
                + ": no queue takes its control messages (expected "
                + topology.agentControlQueue(instanceId)
                + "); its leftovers wait until a pgshuttle agent runs on that VM again";
      }
    } catch (AmqpException e) {
      state = SweepInstanceState.NOT_SENT;
      error =
          "the broker did not take the sweep ("
              + e.getMessage()
              + "); the next sweep tries again, or run `pgshuttle gc` later";
    }
    if (error != null) {
      log.warn("sweep {}: {}", sweepId, error);
    }
    SweepInstanceState outcome = state;
    String why = error;
    try {
      database.inTransaction(
          connection -> {
            sweeps.markSent(connection, sweepId, instanceId, outcome, why);
            auditLog.record(
                connection,
                AuditRecord.commandIssued(
                    envelope, null, outcome.name(), Map.of("sweepId", sweepId.toString())));
            return null;
          });
    } catch (StoreException e) {
      // The sweep shows SENDING for this instance until its report comes; nothing is lost.
      log.warn("sweep {}: cannot record that instance {} was asked: {}", sweepId, instanceId, e);
    }
  }

  /**
   * The sweep and its reports so far.
   *
   * @throws StoreException if the store failed
   */
  public Optional<SweepStatus> status(UUID sweepId) {
    return database.inTransaction(connection -> sweeps.find(connection, sweepId));
  }

  /**
   * The sweep once every instance has reported (or cannot), or as it is after {@code wait}.
   *
   * @throws StoreException if the store failed
   * @throws IllegalArgumentException if there is no such sweep
   */
  public SweepStatus awaitComplete(UUID sweepId, Duration wait) {
    Instant deadline = Instant.now().plus(wait);
    while (true) {
      SweepStatus sweep =
          status(sweepId).orElseThrow(() -> new IllegalArgumentException("no sweep " + sweepId));
      if (sweep.complete() || !Instant.now().isBefore(deadline)) {
        return sweep;
      }
      try {
        Thread.sleep(POLL_INTERVAL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return sweep;
      }
    }
  }
}
