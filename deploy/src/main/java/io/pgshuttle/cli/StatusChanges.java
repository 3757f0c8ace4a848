package io.pgshuttle.cli;

import io.pgshuttle.cli.MigrationStatus.AttemptStatus;
import io.pgshuttle.cli.MigrationStatus.StepStatus;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * Turns successive status snapshots of one migration into the lines of a {@link ProgressView}: each
 * change of attempt, step state or progress is printed once. Not thread-safe.
 */
final class StatusChanges {
  private final ProgressView view;
  private MigrationStatus last;
  private final Set<Integer> reportedFailedAttempts = new HashSet<>();
  private String lastAttemptError;

  StatusChanges(ProgressView view) {
    this.view = view;
  }

  /** Takes {@code status} as already shown: later snapshots print only what changed since. */
  void seed(MigrationStatus status) {
    status.attempts().stream()
        .filter(attempt -> "FAILED".equals(attempt.state()) && attempt.attempt() != null)
        .forEach(attempt -> reportedFailedAttempts.add(attempt.attempt()));
    last = status;
  }

  /** Prints what changed between the last snapshot and {@code next}, in the order it happened. */
  void show(MigrationStatus next) {
    int attempt = next.attempt() == null ? 0 : next.attempt();
    showFailedAttempts(next, number -> number < attempt);
    boolean sameAttempt = last != null && Objects.equals(last.attempt(), next.attempt());
    if (!sameAttempt && attempt > 0) {
      view.attemptStarted(attempt, next.maxAttempts());
    }
    Map<String, StepStatus> before = new HashMap<>();
    if (sameAttempt) {
      last.steps().forEach(step -> before.put(step.name(), step));
    }
    for (StepStatus step : next.steps()) {
      showStep(attempt, before.get(step.name()), step);
    }
    showFailedAttempts(next, number -> number >= attempt);
    if (next.terminal() && (last == null || !last.terminal())) {
      // The migration's error is usually its last attempt's, just printed.
      view.migrationEnded(
          next.state(), Objects.equals(next.error(), lastAttemptError) ? null : next.error());
    }
    last = next;
  }

  private void showFailedAttempts(MigrationStatus status, IntPredicate which) {
    for (AttemptStatus attempt : status.attempts()) {
      if ("FAILED".equals(attempt.state())
          && attempt.attempt() != null
          && which.test(attempt.attempt())
          && reportedFailedAttempts.add(attempt.attempt())) {
        view.attemptFailed(attempt.attempt(), attempt.error(), attempt.retryable());
        lastAttemptError = attempt.error();
      }
    }
  }

  private void showStep(int attempt, StepStatus before, StepStatus now) {
    String previousState = before == null || before.state() == null ? "PENDING" : before.state();
    String state = now.state() == null ? "PENDING" : now.state();
    if (previousState.equals(state)) {
      if ("RUNNING".equals(state)
          && now.progress() != null
          && !Objects.equals(before.progress(), now.progress())) {
        view.stepProgress(attempt, now.name(), now.progress());
      }
      return;
    }
    switch (state) {
      case "PENDING" -> {}
      case "RUNNING" -> {
        view.stepStarted(attempt, now.name());
        if (now.progress() != null) {
          view.stepProgress(attempt, now.name(), now.progress());
        }
      }
      case "SUCCEEDED" -> view.stepSucceeded(attempt, now.name(), took(now), now.summary());
      case "FAILED" -> view.stepFailed(attempt, now.name(), now.error());
      default -> view.stepState(attempt, now.name(), state);
    }
  }

  private static Duration took(StepStatus step) {
    return step.startedAt() == null || step.finishedAt() == null
        ? null
        : Duration.between(step.startedAt(), step.finishedAt());
  }
}
