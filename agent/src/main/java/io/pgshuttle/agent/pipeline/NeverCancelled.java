package io.pgshuttle.agent.pipeline;

/** The cancellation of work that is not cancelled: recovery's rollback, which must finish. */
final class NeverCancelled implements Cancellation {
  @Override
  public boolean isCancelled() {
    return false;
  }

  @Override
  public void throwIfCancelled() {}

  @Override
  public Registration onCancel(Runnable onCancel) {
    return () -> {};
  }
}
