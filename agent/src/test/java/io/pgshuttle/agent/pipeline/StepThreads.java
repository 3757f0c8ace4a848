package io.pgshuttle.agent.pipeline;

import io.pgshuttle.messages.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/** Runs work as two steps running alongside each other do: on threads of their own, at once. */
public final class StepThreads {
  private StepThreads() {}

  /**
   * Runs {@code work} for each of {@code steps} on a thread of its own, all let go at the same
   * moment, and returns when every one has ended. Assert after it returns: a failed assertion in a
   * thread would end only that thread.
   */
  public static void runAtOnce(List<Step> steps, Consumer<Step> work) throws InterruptedException {
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (Step step : steps) {
      Thread thread =
          new Thread(
              () -> {
                try {
                  go.await();
                } catch (InterruptedException e) {
                  throw new IllegalStateException(e);
                }
                work.accept(step);
              });
      thread.start();
      threads.add(thread);
    }
    go.countDown();
    for (Thread thread : threads) {
      thread.join();
    }
  }
}
