package io.pgshuttle.coordinator.events;

import com.codahale.metrics.Counter;
import io.pgshuttle.coordinator.CoordinatorMetrics;
import io.pgshuttle.coordinator.dispatch.AttemptOutcomes;
import io.pgshuttle.coordinator.dispatch.DispatchSignal;
import io.pgshuttle.coordinator.status.AttemptState;
import io.pgshuttle.coordinator.store.Attempts;
import io.pgshuttle.coordinator.store.Database;
import io.pgshuttle.coordinator.store.EventLog;
import io.pgshuttle.coordinator.store.MigrationRow;
import io.pgshuttle.coordinator.store.Migrations;
import io.pgshuttle.coordinator.store.Steps;
import io.pgshuttle.messages.AgentHeartbeat;
import io.pgshuttle.messages.AttemptFailed;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.MigrationFailed;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.MigrationSucceeded;
import io.pgshuttle.messages.StepFailed;
import io.pgshuttle.messages.StepProgress;
import io.pgshuttle.messages.StepStarted;
import io.pgshuttle.messages.StepSucceeded;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Folds events into the status view, idempotently: each (migration, attempt, seq) is stored once
 * and a repeat changes nothing; an event of an attempt that is not current, or is over, is stored
 * but changes nothing. Every event of the current attempt counts as a sign of life of its agent. An
 * attempt that fails after a cancel was requested ends its migration CANCELLED (see {@link
 * AttemptOutcomes}); one that succeeds first ends it SUCCEEDED: the cancel came too late.
 * Thread-safe; events of one migration are serialized by its row lock.
 */
public final class EventFolder {
  private static final Logger log = LoggerFactory.getLogger(EventFolder.class);

  private final Database database;
  private final Migrations migrations;
  private final Attempts attempts;
  private final Steps steps;
  private final EventLog eventLog;
  private final AttemptOutcomes outcomes;
  private final DispatchSignal signal;
  private final CoordinatorMetrics metrics;

  @Inject
  public EventFolder(
      Database database,
      Migrations migrations,
      Attempts attempts,
      Steps steps,
      EventLog eventLog,
      AttemptOutcomes outcomes,
      DispatchSignal signal,
      CoordinatorMetrics metrics) {
    this.metrics = metrics;
    this.database = database;
    this.migrations = migrations;
    this.attempts = attempts;
    this.steps = steps;
    this.eventLog = eventLog;
    this.outcomes = outcomes;
    this.signal = signal;
  }

  /**
   * Folds one event in its own transaction.
   *
   * @param envelopeJson the envelope as received, stored as it is
   * @throws io.pgshuttle.coordinator.store.StoreException if the store failed (nothing changed)
   */
  public FoldResult fold(Envelope<Event> envelope, String envelopeJson) {
    FoldResult result =
        database.inTransaction(
            connection -> foldIn(connection, new Batch(Map.of()), envelope, envelopeJson));
    if (result == FoldResult.APPLIED) {
      // A failed attempt may have made a retry due or an event to publish.
      signal.wake();
    }
    return result;
  }

  /**
   * Folds several events in one transaction, in the given order, each exactly as {@link #fold}
   * would: one commit for many events is what lets the coordinator keep up with a fleet. Either all
   * of them are folded or, when this throws, none is.
   *
   * @param events the events with the envelopes as received; not empty
   * @return the result of each event, in the same order
   * @throws io.pgshuttle.coordinator.store.StoreException if the store failed (nothing changed)
   */
  public List<FoldResult> foldAll(List<Received> events) {
    List<FoldResult> results =
        database.inTransaction(
            connection -> {
              // All the batch's migrations first, in the order every batch locks them in (see
              // Migrations.lockAll): a batch of the outbox never waits for this one while this
              // one waits for it.
              Batch batch =
                  new Batch(
                      migrations.lockAll(
                          connection,
                          events.stream().map(event -> event.envelope().migrationId()).toList()));
              List<FoldResult> folded = new ArrayList<>(events.size());
              for (Received event : events) {
                folded.add(foldIn(connection, batch, event.envelope(), event.json()));
              }
              return folded;
            });
    if (results.contains(FoldResult.APPLIED)) {
      signal.wake();
    }
    return results;
  }

  /**
   * An event as it came off the queue.
   *
   * @param envelope the decoded envelope, not null
   * @param json the envelope as received, stored as it is; not null
   */
  public record Received(Envelope<Event> envelope, String json) {}

  private FoldResult foldIn(
      Connection connection, Batch batch, Envelope<Event> envelope, String json)
      throws SQLException {
    Optional<Locked> locked = batch.locked(connection, envelope.migrationId());
    if (locked.isEmpty()) {
      return FoldResult.UNKNOWN_MIGRATION;
    }
    Locked view = locked.get();
    MigrationRow migration = view.row;
    if (!migration.instanceId().equals(envelope.instanceId())) {
      return FoldResult.WRONG_INSTANCE;
    }
    int attempt = envelope.attempt();
    boolean current =
        migration.state().isLive()
            && attempt == migration.attempt()
            && view.currentAttemptLive(connection);
    if (!eventLog.insert(connection, envelope, json, current)) {
      return FoldResult.DUPLICATE;
    }
    if (!current) {
      return FoldResult.STALE;
    }
    if (!view.signOfLifeRecorded) {
      // now() is the transaction's start, so once per migration and transaction says it all.
      migrations.recordSignOfLife(connection, migration.id());
      attempts.markRunning(connection, migration.id(), attempt);
      view.signOfLifeRecorded = true;
    }
    apply(connection, migration, envelope);
    if (!leavesStatesAsTheyWere(envelope.payload())) {
      batch.forget(migration.id());
    }
    return FoldResult.APPLIED;
  }

  /** Whether applying the event changes neither its migration's row nor its attempt's state. */
  private static boolean leavesStatesAsTheyWere(Event event) {
    return event instanceof StepStarted
        || event instanceof StepProgress
        || event instanceof StepSucceeded
        || event instanceof StepFailed
        || event instanceof AgentHeartbeat;
  }

  /**
   * What one transaction of the fold knows of the migrations it has locked, so that the events of a
   * migration after its first one in a batch neither read it again nor repeat its sign of life.
   * Sound because every writer of a migration's row or attempts locks its row first, and this
   * transaction holds that lock until it ends; an event that changes states makes the next one read
   * them again. Confined to the folding thread.
   */
  private final class Batch {
    private final Map<MigrationId, Locked> known = new HashMap<>();

    Batch(Map<MigrationId, MigrationRow> lockedAlready) {
      lockedAlready.forEach((id, row) -> known.put(id, new Locked(row)));
    }

    Optional<Locked> locked(Connection connection, MigrationId id) throws SQLException {
      Locked view = known.get(id);
      if (view == null) {
        Optional<MigrationRow> row = migrations.lock(connection, id);
        if (row.isEmpty()) {
          return Optional.empty();
        }
        view = new Locked(row.get());
        known.put(id, view);
      }
      return Optional.of(view);
    }

    void forget(MigrationId id) {
      known.remove(id);
    }
  }

  /** A locked migration's row as read, and what this transaction has learnt and done since. */
  private final class Locked {
    final MigrationRow row;
    Boolean attemptLive;
    boolean signOfLifeRecorded;

    Locked(MigrationRow row) {
      this.row = row;
    }

    boolean currentAttemptLive(Connection connection) throws SQLException {
      if (attemptLive == null) {
        attemptLive =
            attempts
                .state(connection, row.id(), row.attempt())
                .map(AttemptState::isLive)
                .orElse(false);
      }
      return attemptLive;
    }
  }

  /**
   * Applies an event of the current, live attempt. An AgentHeartbeat says no more than it lives.
   */
  private void apply(Connection connection, MigrationRow migration, Envelope<Event> envelope)
      throws SQLException {
    Event event = envelope.payload();
    int attempt = envelope.attempt();
    if (event instanceof StepStarted started) {
      steps.started(connection, migration.id(), attempt, started.step(), envelope.emittedAt());
    } else if (event instanceof StepProgress progress) {
      steps.progress(connection, migration.id(), attempt, progress, envelope.seq());
    } else if (event instanceof StepSucceeded succeeded) {
      count(connection, migration, attempt, succeeded);
      steps.succeeded(
          connection,
          migration.id(),
          attempt,
          succeeded.step(),
          envelope.emittedAt(),
          succeeded.durationMillis(),
          succeeded.summary());
    } else if (event instanceof StepFailed failed) {
      steps.failed(
          connection, migration.id(), attempt, failed.step(), envelope.emittedAt(), failed.error());
    } else if (event instanceof AttemptFailed failed) {
      outcomes.attemptFailed(connection, migration, attempt, describe(failed), failed.retryable());
    } else if (event instanceof MigrationSucceeded succeeded) {
      metrics.attemptsSucceeded().inc();
      attempts.succeed(connection, migration.id(), attempt);
      migrations.succeed(connection, migration.id(), succeeded.verification());
      migrations
          .cancelRequest(connection, migration.id())
          .ifPresent(
              cancel ->
                  log.info(
                      "migration {} SUCCEEDED: its cancel ({}, requested at {}) came too late,"
                          + " attempt {} had finished",
                      migration.id(),
                      cancel.reasonText(),
                      cancel.requestedAt(),
                      attempt));
    } else if (event instanceof MigrationFailed failed) {
      outcomes.recordMigrationFailed(connection, migration, attempt, failed.error());
    }
  }

  private void count(
      Connection connection, MigrationRow migration, int attempt, StepSucceeded succeeded)
      throws SQLException {
    metrics.stepDuration(succeeded.step()).update(Duration.ofMillis(succeeded.durationMillis()));
    Counter bytes =
        switch (succeeded.step()) {
          case DUMP -> metrics.bytesDumped();
          case RESTORE -> metrics.bytesRestored();
          default -> null;
        };
    if (bytes != null) {
      steps.bytesDone(connection, migration.id(), attempt, succeeded.step()).ifPresent(bytes::inc);
    }
  }

  /** The agent's error, with what its rollback could not undo. */
  static String describe(AttemptFailed failed) {
    return failed.rollbackErrors().isEmpty()
        ? failed.error()
        : failed.error()
            + " (rollback incomplete: "
            + String.join("; ", failed.rollbackErrors())
            + ")";
  }
}
