package io.pgshuttle.agent.pipeline;

import io.pgshuttle.messages.StepProgress;

/**
 * Sends a running step's progress as {@link StepProgress} events. Implementations drop reports that
 * come sooner than the configured interval after the last one sent, so steps may call it as often
 * as they like. Thread-safe: a step may report from a thread that reads a tool's output.
 */
public interface ProgressReporter {
  void report(StepProgress progress);
}
