package io.pgshuttle.agent.pipeline;

import io.pgshuttle.messages.Step;

/**
 * One step of the pipeline.
 *
 * <p>{@link #execute} is idempotent: it may run again after an earlier run of the same attempt
 * stopped half way, and it records in the journal what it creates <em>before</em> creating it, so
 * that {@link #compensate} can find it. Steps never retry and never sleep-and-retry; they throw.
 * Implementations are stateless (state lives in the journal) and thread-safe.
 */
public interface PipelineStep {

  /** Which step this is. */
  Step name();

  /**
   * Whether the runner starts the next step while this one still runs, on a thread of its own, so
   * that the next step can take this one's output as it comes (through {@link
   * AttemptContext#shared}). The two steps then succeed, fail and are compensated as two steps; a
   * failure of either stops the other. Only pairs: the next step must not say so too. Default: no,
   * the next step starts after this one succeeded.
   */
  default boolean runsAlongsideNext() {
    return false;
  }

  /**
   * Does the step's work.
   *
   * @throws StepException retryable or not, with a message a person can act on
   */
  void execute(AttemptContext context) throws StepException;

  /**
   * Undoes what {@link #execute} made, as the journal records it. Called in reverse order for every
   * step that started, including the one that failed, and again after an agent restart; so it must
   * be idempotent and must tolerate a half-done or never-started execute. Default: nothing to undo.
   *
   * @throws StepException if something could not be undone (the runner goes on with the others)
   */
  default void compensate(AttemptContext context) throws StepException {}
}
