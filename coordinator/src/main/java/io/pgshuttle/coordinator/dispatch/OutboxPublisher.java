package io.pgshuttle.coordinator.dispatch;

import io.pgshuttle.amqp.PublishOutcome;
import io.pgshuttle.coordinator.CoordinatorMetrics;
import io.pgshuttle.coordinator.audit.AuditLog;
import io.pgshuttle.coordinator.audit.AuditRecord;
import io.pgshuttle.coordinator.status.AttemptState;
import io.pgshuttle.coordinator.store.AttemptKey;
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
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.MigrationRequest;
import io.pgshuttle.messages.Payload;
import io.pgshuttle.messages.StartMigration;
import io.pgshuttle.messages.Topology;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes what waits in the outbox, oldest first, with publisher confirms: up to {@link #BATCH}
 * entries that are ready now, in one transaction. It locks them and their migrations (in the order
 * of the migrations' ids), skips those whose attempt is over, signs and publishes the others in
 * order on one channel, waits once for all their confirms, and marks them done in one statement
 * before the commit. So two coordinators never publish one entry at once, commands of one instance
 * go out in the order they were decided, and an entry is marked done only once the broker confirmed
 * it: if any confirm fails, none of the batch is marked and all are published again, under the same
 * message ids (at least once), as after a crash between the confirms and the commit. A
 * StartMigration that no agent queue takes fails its migration with "no agent for instance X"; a
 * CancelMigration that no control queue takes cancels its migration at once. Thread-safe.
 */
public final class OutboxPublisher {
  /** Breakpoint after the broker confirmed a StartMigration, before the outbox marks it done. */
  public static final String BREAKPOINT_COMMAND_CONFIRMED = "command-confirmed";

  /** Most entries published in one transaction, with one wait for their confirms. */
  static final int BATCH = 200;

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
  private final Object taking = new Object();

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
   * Publishes what waits in the outbox now, up to {@link #BATCH} entries; it does not wait for more
   * to arrive. Several threads may call it at once, each taking other entries; an entry whose
   * migration has an older one in another thread's batch is left for later.
   *
   * @return how many entries it took (published or skipped); 0 when none waits, or none may go yet
   * @throws io.pgshuttle.amqp.AmqpException if the broker did not confirm them all (all stay)
   * @throws io.pgshuttle.coordinator.store.StoreException if the store failed (all stay)
   */
  public int publishReady() {
    return database.inTransaction(
        connection -> {
          List<OutboxEntry> ready;
          // One thread at a time takes a batch, so a batch is all that was ready up to BATCH
          // rather than a share of it raced for: the row locks it holds keep the next one off.
          synchronized (taking) {
            ready = outbox.lockReady(connection, BATCH);
          }
          if (ready.isEmpty()) {
            return 0;
          }
          Map<MigrationId, MigrationRow> locked =
              migrations.lockAll(connection, ready.stream().map(OutboxEntry::migrationId).toList());
          ready = inOrder(connection, ready);
          if (ready.isEmpty()) {
            return 0;
          }
          Commands commands = commands(connection, ready, locked);
          Map<Long, Outbox.Outcome> done = new LinkedHashMap<>();
          List<Prepared> prepared = new ArrayList<>(ready.size());
          for (OutboxEntry entry : ready) {
            Optional<Prepared> message = prepare(connection, entry, locked, commands);
            if (message.isPresent()) {
              prepared.add(message.get());
            } else {
              done.put(entry.id(), Outbox.Outcome.SKIPPED);
            }
          }
          List<PublishOutcome> published =
              publisher.publishAll(prepared.stream().map(Prepared::outbound).toList());
          Settled settled = new Settled();
          for (int i = 0; i < prepared.size(); i++) {
            Prepared message = prepared.get(i);
            done.put(message.entry().id(), settle(connection, message, published.get(i), settled));
          }
          settled.write(connection);
          if (settled.commandConfirmed) {
            breakpoints.reach(BREAKPOINT_COMMAND_CONFIRMED);
          }
          outbox.markDone(connection, done);
          return ready.size();
        });
  }

  /**
   * The entries of {@code ready} that may go out now: those with no older unpublished entry of
   * their migration outside the batch. Such an entry belongs to a batch another thread publishes
   * (or one that failed and will be taken again): it must go first, so the younger ones wait for a
   * later batch. Their migrations are locked, so the answer holds until the commit.
   */
  private List<OutboxEntry> inOrder(Connection connection, List<OutboxEntry> ready)
      throws SQLException {
    Map<MigrationId, Long> oldestElsewhere = outbox.oldestUnpublishedOutside(connection, ready);
    if (oldestElsewhere.isEmpty()) {
      return ready;
    }
    List<OutboxEntry> now = new ArrayList<>(ready.size());
    for (OutboxEntry entry : ready) {
      Long older = oldestElsewhere.get(entry.migrationId());
      if (older == null || older > entry.id()) {
        now.add(entry);
      } else {
        log.debug(
            "outbox entry {} of migration {} waits for entry {}",
            entry.id(),
            entry.migrationId(),
            older);
      }
    }
    return now;
  }

  /** An outbox entry's message, ready to publish. */
  private record Prepared(OutboxEntry entry, SignedPublisher.Outbound outbound) {}

  /**
   * What the batch's commands are built from, read for all of them at once: their attempts' states,
   * and the StartMigrations' payloads of the attempts still current and live.
   */
  private record Commands(
      Map<AttemptKey, AttemptState> states, Map<MigrationId, DispatchPayload> payloads) {}

  private Commands commands(
      Connection connection, List<OutboxEntry> ready, Map<MigrationId, MigrationRow> locked)
      throws SQLException {
    List<OutboxEntry> commands =
        ready.stream().filter(entry -> entry.kind() != OutboxEntry.Kind.EVENT).toList();
    Map<AttemptKey, AttemptState> states =
        attempts.states(connection, commands.stream().map(OutboxPublisher::attempt).toList());
    List<MigrationId> starting = new ArrayList<>();
    for (OutboxEntry entry : commands) {
      if (entry.kind() == OutboxEntry.Kind.START_MIGRATION
          && isCurrentAndLive(
              migration(entry, locked), entry.attempt(), states.get(attempt(entry)))) {
        starting.add(entry.migrationId());
      }
    }
    return new Commands(states, migrations.dispatchPayloads(connection, starting));
  }

  /**
   * What the batch's settled commands leave to write, in one round trip each: their audit entries
   * and the attempts whose StartMigration the broker confirmed. Written before anything else the
   * batch changes (an unroutable command ending its migration) and at its end, so that the store
   * reads as if each had been written at once. Confined to the publishing thread.
   */
  private final class Settled {
    private final List<AuditRecord> audits = new ArrayList<>();
    private final List<AttemptKey> published = new ArrayList<>();
    boolean commandConfirmed;

    void write(Connection connection) throws SQLException {
      auditLog.recordAll(connection, audits);
      attempts.markPublished(connection, published);
      audits.clear();
      published.clear();
    }
  }

  /** The message of {@code entry}, or empty when its attempt is over (the entry is skipped). */
  private Optional<Prepared> prepare(
      Connection connection,
      OutboxEntry entry,
      Map<MigrationId, MigrationRow> locked,
      Commands commands)
      throws SQLException {
    if (entry.kind() == OutboxEntry.Kind.EVENT) {
      return Optional.of(new Prepared(entry, event(connection, entry)));
    }
    MigrationRow migration = migration(entry, locked);
    int attempt = entry.attempt();
    if (!isCurrentAndLive(migration, attempt, commands.states().get(attempt(entry)))) {
      log.info(
          "migration {} attempt {} is over before its {} went out",
          migration.id(),
          attempt,
          entry.kind());
      return Optional.empty();
    }
    Payload command =
        entry.kind() == OutboxEntry.Kind.START_MIGRATION
            ? command(commands.payloads().get(migration.id()))
            : new CancelMigration(
                migration.instanceId(), cancelRequest(connection, migration).reasonText());
    String exchange =
        entry.kind() == OutboxEntry.Kind.START_MIGRATION
            ? topology.commandsExchange()
            : topology.controlExchange();
    return Optional.of(
        new Prepared(
            entry,
            new SignedPublisher.Outbound(
                exchange, migration.instanceId(), envelope(entry, migration, command), true)));
  }

  private static MigrationRow migration(OutboxEntry entry, Map<MigrationId, MigrationRow> locked)
      throws SQLException {
    MigrationRow migration = locked.get(entry.migrationId());
    if (migration == null) {
      throw new SQLException("migration " + entry.migrationId() + " is gone");
    }
    return migration;
  }

  private static AttemptKey attempt(OutboxEntry entry) {
    return new AttemptKey(entry.migrationId(), entry.attempt());
  }

  /** Records what became of a published message. */
  private Outbox.Outcome settle(
      Connection connection, Prepared message, PublishOutcome published, Settled settled)
      throws SQLException {
    OutboxEntry entry = message.entry();
    if (entry.kind() == OutboxEntry.Kind.EVENT) {
      return Outbox.Outcome.ROUTED;
    }
    Envelope<?> command = message.outbound().envelope();
    settled.audits.add(
        AuditRecord.commandIssued(command, command.migrationId(), published.name(), Map.of()));
    if (published != PublishOutcome.ROUTED) {
      settled.write(connection);
    }
    return entry.kind() == OutboxEntry.Kind.START_MIGRATION
        ? settleCommand(connection, entry, command.instanceId(), published, settled)
        : settleCancel(connection, entry, command.instanceId(), published);
  }

  private Outbox.Outcome settleCommand(
      Connection connection,
      OutboxEntry entry,
      String instanceId,
      PublishOutcome published,
      Settled settled)
      throws SQLException {
    int attempt = entry.attempt();
    if (published == PublishOutcome.ROUTED) {
      settled.published.add(attempt(entry));
      settled.commandConfirmed = true;
      metrics.commandsPublished().inc();
      log.info(
          "published StartMigration of migration {} attempt {} to instance {}",
          entry.migrationId(),
          attempt,
          instanceId);
      return Outbox.Outcome.ROUTED;
    }
    metrics.commandsUnroutable().inc();
    // Read again: an earlier entry of this batch may have ended the attempt meanwhile.
    MigrationRow migration = lockMigration(connection, entry);
    if (isCurrentAndLive(connection, migration, attempt)) {
      outcomes.failMigration(connection, migration, attempt, noAgentError(topology, instanceId));
    }
    return Outbox.Outcome.UNROUTABLE;
  }

  /** If no control queue took the cancel, the agent is gone: the migration is cancelled at once. */
  private Outbox.Outcome settleCancel(
      Connection connection, OutboxEntry entry, String instanceId, PublishOutcome published)
      throws SQLException {
    int attempt = entry.attempt();
    if (published == PublishOutcome.ROUTED) {
      log.info(
          "published CancelMigration of migration {} attempt {} to instance {}",
          entry.migrationId(),
          attempt,
          instanceId);
      return Outbox.Outcome.ROUTED;
    }
    // Read again: an earlier entry of this batch may have ended the attempt meanwhile.
    MigrationRow migration = lockMigration(connection, entry);
    if (isCurrentAndLive(connection, migration, attempt)) {
      outcomes.cancelMigration(
          connection,
          migration,
          cancelRequest(connection, migration),
          "the agent of instance "
              + instanceId
              + " is gone: its control queue "
              + topology.agentControlQueue(instanceId)
              + " does not exist, so attempt "
              + attempt
              + " was not told to stop");
    }
    return Outbox.Outcome.UNROUTABLE;
  }

  /** The migration of an outbox entry, locked for this transaction (already, by the batch). */
  private MigrationRow lockMigration(Connection connection, OutboxEntry entry) throws SQLException {
    return migrations
        .lock(connection, entry.migrationId())
        .orElseThrow(() -> new SQLException("migration " + entry.migrationId() + " is gone"));
  }

  private CancelRequest cancelRequest(Connection connection, MigrationRow migration)
      throws SQLException {
    return migrations
        .cancelRequest(connection, migration.id())
        .orElseThrow(
            () -> new SQLException("migration " + migration.id() + " has no cancel request"));
  }

  /** Whether {@code attempt} is still the migration's current attempt and neither has ended. */
  private boolean isCurrentAndLive(Connection connection, MigrationRow migration, int attempt)
      throws SQLException {
    return isCurrentAndLive(
        migration, attempt, attempts.state(connection, migration.id(), attempt).orElse(null));
  }

  /** The same, from the attempt's state as read (null when there is no such attempt). */
  private static boolean isCurrentAndLive(
      MigrationRow migration, int attempt, AttemptState attemptState) {
    return migration.state().isLive()
        && migration.attempt() == attempt
        && attemptState != null
        && attemptState.isLive();
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

  private static StartMigration command(DispatchPayload payload) {
    MigrationRequest request = payload.request();
    return new StartMigration(
        request.instanceId(),
        request.databases(),
        payload.target(),
        request.options(),
        payload.fencingToken());
  }

  /** A stored event the coordinator emitted, as it was stored. */
  private SignedPublisher.Outbound event(Connection connection, OutboxEntry entry)
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
    return new SignedPublisher.Outbound(
        topology.eventsExchange(),
        topology.eventRoutingKey(envelope.instanceId(), envelope.migrationId(), envelope.type()),
        envelope,
        false);
  }
}
