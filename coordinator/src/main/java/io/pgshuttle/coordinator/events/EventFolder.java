package io.pgshuttle.coordinator.events;

import com.codahale.metrics.Counter;
import io.pgshuttle.coordinator.CoordinatorMetrics;
import io.pgshuttle.coordinator.dispatch.AttemptOutcomes;
import io.pgshuttle.coordinator.dispatch.DispatchSignal;
import io.pgshuttle.coordinator.status.AttemptState;
import io.pgshuttle.coordinator.store.AttemptKey;
import io.pgshuttle.coordinator.store.Attempts;
import io.pgshuttle.coordinator.store.CancelRequest;
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
import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.StepFailed;
import io.pgshuttle.messages.StepProgress;
import io.pgshuttle.messages.StepStarted;
import io.pgshuttle.messages.StepSucceeded;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
    return foldAll(List.of(new Received(envelope, envelopeJson))).get(0);
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
                      connection,
                      migrations.lockAll(
                          connection,
                          events.stream().map(event -> event.envelope().migrationId()).toList()));
              return foldIn(connection, batch, events);
            });
    if (failedSome(events, results)) {
      signal.wake();
    }
    return results;
  }

  /**
   * Whether an applied event failed an attempt or a migration: that may have made a retry due or
   * put the coordinator's own event in the outbox, for dispatch to take now. Other events give it
   * nothing to do, and waking it for each batch had it look for due migrations in vain.
   */
  private static boolean failedSome(List<Received> events, List<FoldResult> results) {
    for (int i = 0; i < events.size(); i++) {
      Event event = events.get(i).envelope().payload();
      if (results.get(i) == FoldResult.APPLIED
          && (event instanceof AttemptFailed || event instanceof MigrationFailed)) {
        return true;
      }
    }
    return false;
  }

  /**
   * An event as it came off the queue.
   *
   * @param envelope the decoded envelope, not null
   * @param json the envelope as received, stored as it is; not null
   */
  public record Received(Envelope<Event> envelope, String json) {}

  /**
   * Folds events in order in the caller's transaction, which holds the locks of their migrations.
   * Which events are new is known from one look-up first (those stored already, and repeats within
   * the list, are duplicates), and the new ones are stored last, in one statement with their
   * positions (see {@link EventLog#appendNumbered}), so that the positions' lock is held only from
   * there to the commit. The events up to one of a migration whose state an earlier event among
   * them changes (see {@link #leavesStatesAsTheyWere}) are a segment: each is judged current or not
   * from the states as they were before the segment, which for its own migration they still are, so
   * the segment's steps are written in one round trip per kind and the state-changing events, each
   * its migration's last in the segment, are applied after them.
   */
  private List<FoldResult> foldIn(Connection connection, Batch batch, List<Received> events)
      throws SQLException {
    Set<EventLog.Key> stored =
        eventLog.stored(
            connection, events.stream().map(event -> EventLog.Key.of(event.envelope())).toList());
    Set<EventLog.Key> seen = new HashSet<>();
    FoldResult[] results = new FoldResult[events.size()];
    List<EventLog.Insert> fresh = new ArrayList<>(events.size());
    List<Pending> segment = new ArrayList<>();
    Set<MigrationId> changing = new HashSet<>();
    for (int i = 0; i < events.size(); i++) {
      Envelope<Event> envelope = events.get(i).envelope();
      if (changing.contains(envelope.migrationId())) {
        // Judged from the states this segment changes: they are to be read again.
        foldSegment(connection, batch, segment);
        segment.clear();
        changing.clear();
      }
      Optional<Locked> locked = batch.locked(connection, envelope.migrationId());
      if (locked.isEmpty()) {
        results[i] = FoldResult.UNKNOWN_MIGRATION;
        continue;
      }
      Locked view = locked.get();
      if (!view.row.instanceId().equals(envelope.instanceId())) {
        results[i] = FoldResult.WRONG_INSTANCE;
        continue;
      }
      EventLog.Key key = EventLog.Key.of(envelope);
      if (stored.contains(key) || !seen.add(key)) {
        results[i] = FoldResult.DUPLICATE;
        continue;
      }
      boolean current =
          view.row.state().isLive()
              && envelope.attempt() == view.row.attempt()
              && view.currentAttemptLive(connection);
      fresh.add(new EventLog.Insert(envelope, events.get(i).json(), current));
      if (!current) {
        results[i] = FoldResult.STALE;
        continue;
      }
      results[i] = FoldResult.APPLIED;
      segment.add(new Pending(events.get(i).envelope(), view));
      if (!leavesStatesAsTheyWere(envelope.payload())) {
        changing.add(envelope.migrationId());
      }
    }
    foldSegment(connection, batch, segment);
    eventLog.appendNumbered(connection, fresh);
    return Arrays.asList(results);
  }

  /** A new event of its migration's current, live attempt, to apply in a segment. */
  private record Pending(Envelope<Event> envelope, Locked view) {}

  private void foldSegment(Connection connection, Batch batch, List<Pending> segment)
      throws SQLException {
    List<Steps.Change> changes = new ArrayList<>(segment.size());
    List<AttemptKey> heard = new ArrayList<>();
    for (Pending pending : segment) {
      Locked view = pending.view();
      if (!view.signOfLifeRecorded) {
        // now() is the transaction's start, so once per migration and transaction says it all.
        heard.add(new AttemptKey(view.row.id(), view.row.attempt()));
        view.signOfLifeRecorded = true;
      }
      stepChange(pending.envelope()).ifPresent(changes::add);
    }
    migrations.recordSignsOfLife(connection, heard.stream().map(AttemptKey::id).toList());
    attempts.markRunning(connection, heard);
    steps.write(connection, changes);
    List<Steps.Key> moved = new ArrayList<>();
    List<Envelope<Event>> succeeded = new ArrayList<>();
    for (Pending pending : segment) {
      Envelope<Event> envelope = pending.envelope();
      MigrationRow migration = pending.view().row;
      if (envelope.payload() instanceof StepSucceeded step) {
        metrics.stepDuration(step.step()).update(Duration.ofMillis(step.durationMillis()));
        if (step.step() == Step.DUMP || step.step() == Step.RESTORE) {
          moved.add(new Steps.Key(migration.id(), envelope.attempt(), step.step()));
        }
      } else if (envelope.payload() instanceof MigrationSucceeded) {
        succeeded.add(envelope);
        batch.forget(migration.id());
      } else if (!leavesStatesAsTheyWere(envelope.payload())) {
        applyOutcome(connection, migration, envelope);
        batch.forget(migration.id());
      }
    }
    countBytes(connection, moved);
    succeed(connection, succeeded);
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

    /** The locked migrations, with their current attempts' states read in one round trip. */
    Batch(Connection connection, Map<MigrationId, MigrationRow> lockedAlready) throws SQLException {
      Map<AttemptKey, AttemptState> states =
          attempts.states(
              connection,
              lockedAlready.values().stream()
                  .map(row -> new AttemptKey(row.id(), row.attempt()))
                  .toList());
      lockedAlready.forEach(
          (id, row) -> {
            Locked view = new Locked(row);
            AttemptState state = states.get(new AttemptKey(id, row.attempt()));
            view.attemptLive = state != null && state.isLive();
            known.put(id, view);
          });
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

  /** The change to its step that an event of the current, live attempt makes, if any. */
  private Optional<Steps.Change> stepChange(Envelope<Event> envelope) {
    Event event = envelope.payload();
    MigrationId id = envelope.migrationId();
    int attempt = envelope.attempt();
    if (event instanceof StepStarted started) {
      return Optional.of(steps.started(id, attempt, started.step(), envelope.emittedAt()));
    } else if (event instanceof StepProgress progress) {
      return Optional.of(steps.progress(id, attempt, progress, envelope.seq()));
    } else if (event instanceof StepSucceeded succeeded) {
      return Optional.of(
          steps.succeeded(
              id,
              attempt,
              succeeded.step(),
              envelope.emittedAt(),
              succeeded.durationMillis(),
              succeeded.summary()));
    } else if (event instanceof StepFailed failed) {
      return Optional.of(
          steps.failed(id, attempt, failed.step(), envelope.emittedAt(), failed.error()));
    }
    // An AgentHeartbeat says no more than it lives; the others change states.
    return Optional.empty();
  }

  /**
   * Applies an event of the current, live attempt that changes states, other than a
   * MigrationSucceeded (see {@link #succeed}).
   */
  private void applyOutcome(Connection connection, MigrationRow migration, Envelope<Event> envelope)
      throws SQLException {
    Event event = envelope.payload();
    int attempt = envelope.attempt();
    if (event instanceof AttemptFailed failed) {
      outcomes.attemptFailed(connection, migration, attempt, describe(failed), failed.retryable());
    } else if (event instanceof MigrationFailed failed) {
      outcomes.recordMigrationFailed(connection, migration, attempt, failed.error());
    }
  }

  /**
   * Ends the migrations of MigrationSucceeded events of their current, live attempts SUCCEEDED, a
   * statement for all of them per table.
   */
  private void succeed(Connection connection, List<Envelope<Event>> succeeded) throws SQLException {
    if (succeeded.isEmpty()) {
      return;
    }
    Map<MigrationId, String> verifications = new LinkedHashMap<>();
    List<AttemptKey> ended = new ArrayList<>(succeeded.size());
    for (Envelope<Event> envelope : succeeded) {
      metrics.attemptsSucceeded().inc();
      ended.add(new AttemptKey(envelope.migrationId(), envelope.attempt()));
      verifications.put(
          envelope.migrationId(), ((MigrationSucceeded) envelope.payload()).verification());
    }
    attempts.succeed(connection, ended);
    migrations.succeed(connection, verifications);
    Map<MigrationId, CancelRequest> cancels =
        migrations.cancelRequests(connection, verifications.keySet());
    for (AttemptKey attempt : ended) {
      CancelRequest cancel = cancels.get(attempt.id());
      if (cancel != null) {
        log.info(
            "migration {} SUCCEEDED: its cancel ({}, requested at {}) came too late,"
                + " attempt {} had finished",
            attempt.id(),
            cancel.reasonText(),
            cancel.requestedAt(),
            attempt.attempt());
      }
    }
  }

  /** Counts the bytes DUMP and RESTORE steps moved, as their last progress reports said. */
  private void countBytes(Connection connection, List<Steps.Key> moved) throws SQLException {
    for (Map.Entry<Steps.Key, Long> done : steps.bytesDone(connection, moved).entrySet()) {
      Counter bytes =
          done.getKey().step() == Step.DUMP ? metrics.bytesDumped() : metrics.bytesRestored();
      bytes.inc(done.getValue());
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
