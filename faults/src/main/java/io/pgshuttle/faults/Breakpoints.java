package io.pgshuttle.faults;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Places where a fault test can hold a process so that it is killed exactly there, such as between
 * two renames of CUTOVER or between a command's confirm and its outbox commit: timing alone cannot
 * hit a window of microseconds. One breakpoint at most is armed, by PGSHUTTLE_TEST_BREAKPOINT;
 * production processes arm none, and then {@link #reach} does nothing. Thread-safe.
 */
public final class Breakpoints {
  /** The environment variable that arms a breakpoint. */
  public static final String VARIABLE = "PGSHUTTLE_TEST_BREAKPOINT";

  private static final Logger log = LoggerFactory.getLogger(Breakpoints.class);

  private final String armed;

  /**
   * @param armed the breakpoint to hold at, or null for none
   */
  public Breakpoints(String armed) {
    this.armed = armed;
  }

  /** Breakpoints that never hold. */
  public static Breakpoints none() {
    return new Breakpoints(null);
  }

  /** The line a process logs when it holds at {@code name}; tests wait for it. */
  public static String holdingMessage(String name) {
    return "holding at breakpoint " + name + " until killed";
  }

  /**
   * What is wrong with arming {@code armed} where only {@code known} exist: a sentence naming the
   * fix, or null if {@code armed} is null or known.
   */
  public static String problem(String armed, List<String> known) {
    if (armed == null || known.contains(armed)) {
      return null;
    }
    return VARIABLE
        + " '"
        + armed
        + "' is unknown: unset it (it is for fault tests) or use one of "
        + String.join(", ", known);
  }

  /**
   * Returns at once unless {@code name} is armed; if it is, logs {@link #holdingMessage} and holds
   * the calling thread until it is interrupted, which in a test means until the process is killed.
   */
  public void reach(String name) {
    if (!name.equals(armed)) {
      return;
    }
    log.warn(holdingMessage(name));
    try {
      new CountDownLatch(1).await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
