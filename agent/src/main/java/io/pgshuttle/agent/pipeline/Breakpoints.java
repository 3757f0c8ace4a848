package io.pgshuttle.agent.pipeline;

import io.pgshuttle.agent.AgentConfig;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Places in the pipeline where a fault test can hold the agent so that it is killed exactly there,
 * such as between two renames of CUTOVER: timing alone cannot hit a window of microseconds. One
 * breakpoint at most is armed, by PGSHUTTLE_TEST_BREAKPOINT; production agents arm none, and then
 * {@link #reach} does nothing. Thread-safe.
 */
public final class Breakpoints {
  /** After the first rename of CUTOVER, before its transaction commits. */
  public static final String CUTOVER_BETWEEN_RENAMES = "cutover-between-renames";

  /** After CUTOVER's transaction committed, before the step is journaled as finished. */
  public static final String CUTOVER_COMMITTED = "cutover-committed";

  /** Every name that can be armed. */
  public static final List<String> NAMES = List.of(CUTOVER_BETWEEN_RENAMES, CUTOVER_COMMITTED);

  private static final Logger log = LoggerFactory.getLogger(Breakpoints.class);

  private final String armed;
  private final Path stateDir;

  @Inject
  public Breakpoints(AgentConfig config) {
    this(config.breakpoint(), config.stateDir());
  }

  /**
   * @param armed the breakpoint to hold at, or null for none
   * @param stateDir where {@link #markerFile} is written when the agent holds
   */
  public Breakpoints(String armed, Path stateDir) {
    this.armed = armed;
    this.stateDir = stateDir;
  }

  /** Breakpoints that never hold. */
  public static Breakpoints none() {
    return new Breakpoints(null, null);
  }

  /** The file that says the agent with {@code stateDir} holds at {@code name}. */
  public static Path markerFile(Path stateDir, String name) {
    return stateDir.resolve("breakpoint-" + name);
  }

  /**
   * Returns at once unless {@code name} is armed; if it is, writes its marker file and holds the
   * calling thread until it is interrupted, which in a test means until the process is killed.
   */
  public void reach(String name) {
    if (!name.equals(armed)) {
      return;
    }
    try {
      Files.writeString(markerFile(stateDir, name), name);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the marker of breakpoint " + name, e);
    }
    log.warn("holding at breakpoint {} (PGSHUTTLE_TEST_BREAKPOINT) until killed", name);
    try {
      new CountDownLatch(1).await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
