package io.pgshuttle.coordinator.dispatch;

import io.pgshuttle.amqp.PublishOutcome;
import io.pgshuttle.coordinator.CoordinatorMetrics;
import io.pgshuttle.coordinator.audit.AuditLog;
import io.pgshuttle.coordinator.audit.AuditRecord;
import io.pgshuttle.coordinator.status.AttemptState;
import io.pgshuttle.coordinator.store.Attempts;
import io.pgshuttle.coordinator.store.CancelRequest;
import io.pgshuttle.coordinator.store.Database;
import io.pgshuttle.coordinator.store.DispatchPayload;
import io.pgshuttle.coordinator.store.EventLog;
import io.pgshuttle.coordinator.store.MigrationRow;
import io.pgshuttle.coordinator.store.Migrations;
import io.pgshuttle.coordinator.store.Outbox;
import io.pgshuttle.coordinator.store.OutboxEntry;
import io.pgshuttle.faults.Breakpoints;
import io.pgshuttle.messages.CancelMigration;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MessageDecodingException;
import io.pgshuttle.messages.MigrationRequest;
import io.pgshuttle.messages.Payload;
import io.pgshuttle.messages.StartMigration;
import io.pgshuttle.messages.Topology;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes what waits in the outbox, oldest first, with publisher confirms. The entry stays locked
 * while it is published and is marked done in the same transaction, so two coordinators never
 * publish one entry at once; a crash between the confirm and the commit publishes it again under
 * the same message id (at least once). A StartMigration that no agent queue takes fails its
 * migration with "no agent for instance X"; a CancelMigration that no control queue takes cancels
 * its migration at once. Thread-safe.
 */
public final class OutboxPublisher {
  /** Breakpoint after the broker confirmed a StartMigration, before the outbox marks it done. */
  public static final String BREAKPOINT_COMMAND_CONFIRMED = "command-confirmed";

  private static final Logger log = LoggerFactory.getLogger(OutboxPublisher.class);

  private final Database database;
  private final SignedPublisher publisher;
  private final Topology topology;
  private final Migrations migrations;
  private final Attempts attempts;
  private final Outbox outbox;
  private final EventLog eventLog;
  private final AttemptOutcomes outcomes;
  private final MessageCodec codec;
  private final CoordinatorMetrics metrics;
  private final Breakpoints breakpoints;
  private final AuditLog auditLog;

  @Inject
  public OutboxPublisher(
      Database database,
      SignedPublisher publisher,
      Topology topology,
      Migrations migrations,
      Attempts attempts,
      Outbox outbox,
      EventLog eventLog,
      AttemptOutcomes outcomes,
      MessageCodec codec,
      CoordinatorMetrics metrics,
      Breakpoints breakpoints,
      AuditLog auditLog) {
    this.database = database;
    this.publisher = publisher;
    this.topology = topology;
    this.migrations = migrations;
    this.attempts = attempts;
    this.outbox = outbox;
    this.eventLog = eventLog;
    this.outcomes = outcomes;
    this.codec = codec;
    this.metrics = metrics;
    this.breakpoints = breakpoints;
    this.auditLog = auditLog;
  }

  /** The error of a migration whose instance has no agent queue. */
  public static String noAgentError(Topology topology, String instanceId) {
    return "no agent for instance "
        + instanceId
        + ": no queue takes its commands (expected "
        + topology.agentQueue(instanceId)
        + "). Start the pgshuttle agent on that VM, or check the instance id, then submit a new"
        + " request";
  }

  /**
   * Publishes the oldest waiting entry.
   *
   * @return false when none waits
   * @throws io.pgshuttle.amqp.AmqpException if the broker did not confirm (the entry stays)
   * @throws io.pgshuttle.coordinator.store.StoreException if the store failed (the entry stays)
   */
  public boolean publishNext() {
    return database.inTransaction(
        connection -> {
          Optional<OutboxEntry> next = outbox.lockNext(connection);
          if (next.isEmpty()) {
            return false;
          }
          OutboxEntry entry = next.get();
          Outbox.Outcome outcome =
              switch (entry.kind()) {
                case START_MIGRATION -> publishCommand(connection, entry);
                case CANCEL_MIGRATION -> publishCancel(connection, entry);
                case EVENT -> publishEvent(connection, entry);
              };
          outbox.markDone(connection, entry.id(), outcome);
          return true;
        });
  }

  /** The migration of an outbox entry, locked for this transaction. */
  private MigrationRow lockMigration(Connection connection, OutboxEntry entry) throws SQLException {
    return migrations
        .lock(connection, entry.migrationId())
        .orElseThrow(() -> new SQLException("migration " + entry.migrationId() + " is gone"));
  }

  /** Whether {@code attempt} is still the migration's current attempt and neither has ended. */
  private boolean isCurrentAndLive(Connection connection, MigrationRow migration, int attempt)
      throws SQLException {
    boolean attemptLive =
        attempts.state(connection, migration.id(), attempt).map(AttemptState::isLive).orElse(false);
    return migration.state().isLive() && migration.attempt() == attempt && attemptLive;
  }

  /** A command of an outbox entry in its envelope: the entry's message id, as first recorded. */
  private static <P extends Payload> Envelope<P> envelope(
      OutboxEntry entry, MigrationRow migration, P payload) {
    return new Envelope<>(
        entry.messageId(),
        migration.instanceId(),
        migration.id(),
        entry.attempt(),
        0,
        entry.createdAt(),
        payload);
  }

  private Outbox.Outcome publishCommand(Connection connection, OutboxEntry entry)
      throws SQLException {
    MigrationRow migration = lockMigration(connection, entry);
    int attempt = entry.attempt();
    if (!isCurrentAndLive(connection, migration, attempt)) {
      log.info(
          "migration {} attempt {} is over before its command went out", migration.id(), attempt);
      return Outbox.Outcome.SKIPPED;
    }
    Envelope<StartMigration> envelope =
        envelope(entry, migration, command(migrations.dispatchPayload(connection, migration.id())));
    PublishOutcome published = publisher.publishCommand(topology.commandsExchange(), envelope);
    auditIssued(connection, envelope, published);
    if (published == PublishOutcome.ROUTED) {
      attempts.markPublished(connection, migration.id(), attempt);
      metrics.commandsPublished().inc();
      log.info(
          "published StartMigration of migration {} attempt {} to instance {}",
          migration.id(),
          attempt,
          migration.instanceId());
      breakpoints.reach(BREAKPOINT_COMMAND_CONFIRMED);
      return Outbox.Outcome.ROUTED;
    }
    metrics.commandsUnroutable().inc();
    outcomes.failMigration(
        connection, migration, attempt, noAgentError(topology, migration.instanceId()));
    return Outbox.Outcome.UNROUTABLE;
  }

  /**
   * Publishes the CancelMigration of an attempt to its agent's control queue, unless the attempt
   * ended meanwhile. If no queue takes it, the agent is gone: the migration is cancelled at once.
   */
  private Outbox.Outcome publishCancel(Connection connection, OutboxEntry entry)
      throws SQLException {
    MigrationRow migration = lockMigration(connection, entry);
    int attempt = entry.attempt();
    CancelRequest cancel =
        migrations
            .cancelRequest(connection, migration.id())
            .orElseThrow(
                () -> new SQLException("migration " + migration.id() + " has no cancel request"));
    if (!isCurrentAndLive(connection, migration, attempt)) {
      log.info("migration {} attempt {} ended before its cancel went out", migration.id(), attempt);
      return Outbox.Outcome.SKIPPED;
    }
    Envelope<CancelMigration> envelope =
        envelope(
            entry, migration, new CancelMigration(migration.instanceId(), cancel.reasonText()));
    PublishOutcome published = publisher.publishCommand(topology.controlExchange(), envelope);
    auditIssued(connection, envelope, published);
    if (published == PublishOutcome.ROUTED) {
      log.info(
          "published CancelMigration of migration {} attempt {} to instance {}",
          migration.id(),
          attempt,
          migration.instanceId());
      return Outbox.Outcome.ROUTED;
    }
    outcomes.cancelMigration(
        connection,
        migration,
        cancel,
        "the agent of instance "
            + migration.instanceId()
            + " is gone: its control queue "
            + topology.agentControlQueue(migration.instanceId())
            + " does not exist, so attempt "
            + attempt
            + " was not told to stop");
    return Outbox.Outcome.UNROUTABLE;
  }

  private void auditIssued(Connection connection, Envelope<?> command, PublishOutcome published)
      throws SQLException {
    auditLog.record(
        connection,
        AuditRecord.commandIssued(command, command.migrationId(), published.name(), Map.of()));
  }

  private static StartMigration command(DispatchPayload payload) {
    MigrationRequest request = payload.request();
    return new StartMigration(
        request.instanceId(),
        request.databases(),
        payload.target(),
        request.options(),
        payload.fencingToken());
  }

  private Outbox.Outcome publishEvent(Connection connection, OutboxEntry entry)
      throws SQLException {
    String json =
        eventLog
            .envelopeJson(connection, entry.migrationId(), entry.attempt(), entry.eventSeq())
            .orElseThrow(
                () -> new SQLException("event of outbox entry " + entry.id() + " is gone"));
    Envelope<Event> envelope;
    try {
      envelope = codec.decode(json.getBytes(StandardCharsets.UTF_8), Event.class);
    } catch (MessageDecodingException e) {
      throw new SQLException(
          "stored event of outbox entry " + entry.id() + ": " + e.getMessage(), e);
    }
    publisher.publishEvent(
        topology.eventsExchange(),
        topology.eventRoutingKey(envelope.instanceId(), envelope.migrationId(), envelope.type()),
        envelope);
    return Outbox.Outcome.ROUTED;
  }
}
