package io.pgshuttle.coordinator.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.pgshuttle.messages.Step;
import java.time.Instant;

/**
 * One pipeline step of the current attempt. Immutable. Fields other than {@code name} and {@code
 * state} are null until known. Timings come from the agent's event timestamps.
 *
 * @param progress the last progress reported, or null
 * @param summary the agent's line about the finished step, or null
 * @param error why the step failed, or null
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record StepStatus(
    Step name,
    StepState state,
    Instant startedAt,
    Instant finishedAt,
    StepProgressView progress,
    String summary,
    String error) {

  /** A step no event has mentioned yet. */
  public static StepStatus pending(Step name) {
    return new StepStatus(name, StepState.PENDING, null, null, null, null, null);
  }
}
