package io.pgshuttle.cli;

import io.pgshuttle.cli.config.ConfigFile;
import io.pgshuttle.cli.config.ConfigLoader;
import io.pgshuttle.cli.config.Validated;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A long-lived process: reads its configuration, refuses to start with any problem in it (exit code
 * 2, each problem printed), else runs until SIGTERM or SIGINT.
 *
 * @param <C> the daemon's configuration record
 */
abstract class DaemonCommand<C> implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(DaemonCommand.class);

  @Spec CommandSpec spec;
  @Mixin ConfigFileOption configFile;

  private final Map<String, String> environment;
  private final Daemons daemons;

  DaemonCommand(Map<String, String> environment, Daemons daemons) {
    this.environment = environment;
    this.daemons = daemons;
  }

  /** The configuration from the file, the environment and the defaults, with its problems. */
  abstract Validated<C> configure(ConfigLoader loader, ConfigFile file);

  /** Runs the daemon until the process is told to stop. */
  abstract void run(Daemons daemons, C config) throws Exception;

  @Override
  public Integer call() {
    ConfigLoader loader = new ConfigLoader(environment);
    Validated<C> validated = configure(loader, configFile.read(loader));
    if (!validated.problems().isEmpty()) {
      return CommandOutput.refuse(
          spec, validated.problems(), "not started: fix the settings above and start it again");
    }
    try {
      run(daemons, validated.config());
      return ExitCodes.OK;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ExitCodes.OK;
    } catch (Exception e) {
      String reason = e.getMessage() == null ? e.toString() : e.getMessage();
      log.error("{} stopped: {}", spec.name(), reason, e);
      spec.commandLine().getErr().println(spec.qualifiedName() + ": stopped: " + reason);
      return ExitCodes.UNREACHABLE;
    }
  }
}
