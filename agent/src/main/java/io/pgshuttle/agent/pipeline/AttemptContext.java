package io.pgshuttle.agent.pipeline;

import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.StartMigration;
import java.util.function.Supplier;

/**
 * What a step knows about the attempt it runs in. One per attempt, except that two steps running
 * alongside each other (see {@link PipelineStep#runsAlongsideNext()}) each get a copy with a
 * cancellation of its own. Thread-safe: while two steps run, both use the journal, the progress
 * reporter and the {@link #shared} objects at once, from their own threads.
 */
public interface AttemptContext {

  String instanceId();

  MigrationId migrationId();

  /** 1 for the first attempt. */
  int attempt();

  /**
   * The command being run, with the target password (held in memory only). After an agent restart,
   * during recovery, the password is absent: compensations must not need the target.
   */
  StartMigration command();

  /** Where steps record what they made and what later steps need. */
  AttemptJournal journal();

  /** Reports a running step's progress; rate-limited by the implementation. */
  ProgressReporter progress();

  /**
   * Whether the attempt was cancelled, and a hook to stop running tools when it is. For a step
   * running alongside another, also fires when the other step failed.
   */
  Cancellation cancellation();

  /**
   * The object of {@code type} the steps of this attempt share in memory, made by {@code create} on
   * first use (such as what DUMP hands to RESTORE while both run). Gone with the attempt: nothing
   * in it survives an agent restart, so it never replaces the journal. Thread-safe.
   */
  <T> T shared(Class<T> type, Supplier<? extends T> create);
}
