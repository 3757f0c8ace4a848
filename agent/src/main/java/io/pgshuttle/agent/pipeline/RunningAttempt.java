package io.pgshuttle.agent.pipeline;

import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.StartMigration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/** The {@link AttemptContext} the runner hands to each step of one attempt. */
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

  @Override
  public <T> T shared(Class<T> type, Supplier<? extends T> create) {
    return type.cast(sharedObjects.computeIfAbsent(type, key -> create.get()));
  }
}
