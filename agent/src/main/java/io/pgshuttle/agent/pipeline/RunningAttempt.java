package io.pgshuttle.agent.pipeline;

import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.StartMigration;

/** The {@link AttemptContext} the runner hands to each step of one attempt. */
record RunningAttempt(
    Envelope<StartMigration> envelope,
    AttemptJournal journal,
    ProgressReporter progress,
    Cancellation cancellation)
    implements AttemptContext {

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
}
