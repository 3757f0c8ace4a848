package io.pgshuttle.agent.pipeline;

import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.StartMigration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The {@link AttemptContext} the runner hands to each step of one attempt. Two steps that run
 * alongside each other get copies that differ only in their cancellation ({@link
 * #withCancellation}) and share the journal, progress reporter and shared objects.
 */
record RunningAttempt(
    Envelope<StartMigration> envelope,
    AttemptJournal journal,
    ProgressReporter progress,
    Cancellation cancellation,
    Map<Class<?>, Object> sharedObjects)
    implements AttemptContext {

  RunningAttempt(
      Envelope<StartMigration> envelope,
      AttemptJournal journal,
      ProgressReporter progress,
      Cancellation cancellation) {
    this(envelope, journal, progress, cancellation, new ConcurrentHashMap<>());
  }

  @Override
  public String instanceId() {
    return envelope.instanceId();
  }

  @Override
  public MigrationId migrationId() {
    return envelope.migrationId();
  }

  @Override
  public int attempt() {
    return envelope.attempt();
  }

  @Override
  public StartMigration command() {
    return envelope.payload();
  }

  /** This attempt's context with {@code other} as its cancellation, sharing everything else. */
  RunningAttempt withCancellation(Cancellation other) {
    return new RunningAttempt(envelope, journal, progress, other, sharedObjects);
  }

  @Override
  public <T> T shared(Class<T> type, Supplier<? extends T> create) {
    return type.cast(sharedObjects.computeIfAbsent(type, key -> create.get()));
  }
}
