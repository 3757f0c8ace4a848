package io.pgshuttle.cli;

import com.google.inject.Guice;
import io.pgshuttle.agent.AgentConfig;
import io.pgshuttle.agent.AgentDaemon;
import io.pgshuttle.agent.AgentModule;
import io.pgshuttle.coordinator.CoordinatorConfig;
import io.pgshuttle.coordinator.CoordinatorDaemon;
import io.pgshuttle.coordinator.CoordinatorModule;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds each daemon with its Guice module, starts it, and keeps the calling thread until the JVM
 * is asked to stop; a shutdown hook then closes the daemon. Used from the main thread only.
 */
final class GuiceDaemons implements Daemons {
  private static final Logger log = LoggerFactory.getLogger(GuiceDaemons.class);

  @Override
  public void runCoordinator(CoordinatorConfig config) throws Exception {
    CoordinatorDaemon daemon =
        Guice.createInjector(new CoordinatorModule(config)).getInstance(CoordinatorDaemon.class);
    startOrClose(daemon, daemon::start);
    log.info(
        "coordinator running: HTTP API on port {}, broker namespace {}",
        daemon.httpPort(),
        config.namespace());
    serveUntilStopped("coordinator", daemon);
  }

  @Override
  public void runAgent(AgentConfig config) throws Exception {
    AgentDaemon daemon =
        Guice.createInjector(new AgentModule(config)).getInstance(AgentDaemon.class);
    startOrClose(daemon, daemon::start);
    log.info(
        "agent running for instance {}, broker namespace {}",
        config.instanceId(),
        config.namespace());
    serveUntilStopped("agent", daemon);
  }

  /** A daemon's {@code start()}, whatever it declares to throw. */
  private interface Start {
    void run() throws Exception;
  }

  /** Starts the daemon; if that fails, closes what it had started and rethrows. */
  private static void startOrClose(AutoCloseable daemon, Start start) throws Exception {
    try {
      start.run();
    } catch (Exception e) {
      try {
        daemon.close();
      } catch (Exception closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  /** Blocks until SIGTERM or SIGINT; the JVM exits once the hook has closed the daemon. */
  private static void serveUntilStopped(String name, AutoCloseable daemon)
      throws InterruptedException {
    CountDownLatch closed = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log.info("{} stopping", name);
                  try {
                    daemon.close();
                    log.info("{} stopped", name);
                  } catch (Exception e) {
                    log.warn("{} did not close cleanly: {}", name, e.toString());
                  } finally {
                    closed.countDown();
                  }
                },
                "pgshuttle-shutdown"));
    closed.await();
  }
}
