package io.pgshuttle.agent.pipeline;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A cancellation a test triggers; cancels are not retryable, as a person's cancel. */
public final class TestCancellation implements Cancellation {
  private final List<Runnable> hooks = new CopyOnWriteArrayList<>();
  private volatile boolean cancelled;

  public void cancel() {
    cancelled = true;
    hooks.forEach(Runnable::run);
  }

  @Override
  public boolean isCancelled() {
    return cancelled;
  }

  @Override
  public void throwIfCancelled() throws StepException {
    if (cancelled) {
      throw new NonRetryableStepException("migration cancelled by the test");
    }
  }

  @Override
  public Registration onCancel(Runnable onCancel) {
    hooks.add(onCancel);
    if (cancelled) {
      onCancel.run();
    }
    return () -> hooks.remove(onCancel);
  }
}
