package io.pgshuttle.cli;

import io.pgshuttle.cli.config.ClientSettings;
import io.pgshuttle.cli.config.ConfigLoader;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pgshuttle gc}: asks the coordinator to sweep the leftovers of ended migrations through its
 * HTTP API; with {@code --wait}, waits for the agents' reports and prints them.
 */
@Command(
    name = "gc",
    mixinStandardHelpOptions = true,
    description = {
      "Sweeps leftovers: the coordinator asks the agent of each instance with FAILED or CANCELLED"
          + " migrations not known to be clean to remove what they left: it finishes the rollbacks"
          + " a restarted agent could not finish (with the target password, which only the"
          + " coordinator and the agents hold), drops their staging databases"
          + " (pgshuttle_stage_<id>_<n>) on the target, and deletes their disks and the disks of"
          + " its attempts that ended. Running migrations are never touched.",
      "The coordinator also sweeps every coordinator.sweepInterval, and each agent deletes the"
          + " disks of its ended attempts every agent.sweepInterval.",
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:the sweep was sent; with --wait: every agent reported and nothing is left",
      "1:with --wait: something could not be removed (the report says why), or an agent did not"
          + " report",
      "2:bad input",
      "3:the coordinator cannot be reached",
    },
    footerHeading = "%nEnvironment:%n",
    footer = {
      "  PGSHUTTLE_COORDINATOR_URL  default http://127.0.0.1:8080",
      "  PGSHUTTLE_API_TOKEN        the coordinator's API token (scope operate)",
    })
final class GcCommand implements Callable<Integer> {
  /** How long one request lets the coordinator wait for reports; it allows a minute at most. */
  private static final Duration COORDINATOR_WAIT = Duration.ofSeconds(30);

  @Spec CommandSpec spec;

  @Option(
      names = "--instance",
      paramLabel = "I",
      description =
          "Only this instance; its agent is asked even when none of its migrations ended (it then"
              + " deletes the disks of its ended attempts).")
  String instance;

  @Option(
      names = "--wait",
      description =
          "Wait for every agent's report (up to 10 minutes) and print it: what was removed, what"
              + " could not be and why, per instance.")
  boolean waitForReports;

  @Option(
      names = "--json",
      description = "Print the coordinator's sweep JSON as it is (with --wait: the final one).")
  boolean json;

  private final Map<String, String> environment;

  @Mixin ConfigFileOption configFile;
  private final Backends backends;

  GcCommand(Map<String, String> environment, Backends backends) {
    this.environment = environment;
    this.backends = backends;
  }

  @Override
  public Integer call() throws InterruptedException {
    CommandOutput.checkInstanceOption(instance);
    ClientSettings settings = client();
    CoordinatorApi api = backends.coordinator(settings);
    StatusJson reader = new StatusJson(api.describe());
    String body = api.sweep(instance, waitForReports ? COORDINATOR_WAIT : null);
    SweepStatus sweep = reader.sweep(body);
    if (waitForReports && !sweep.complete()) {
      PrintWriter err = spec.commandLine().getErr();
      err.println(
          "sweep "
              + sweep.sweepId()
              + ": waiting for the agents' reports (Ctrl-C stops waiting, not the sweep)");
      err.flush();
      Instant deadline = Instant.now().plus(backends.timings().sweepTimeout());
      UUID id = UUID.fromString(sweep.sweepId());
      while (!sweep.complete() && Instant.now().isBefore(deadline)) {
        Thread.sleep(backends.timings().pollInterval().toMillis());
        body =
            api.sweepStatus(id)
                .orElseThrow(
                    () ->
                        CliException.unreachable(
                            "the coordinator at "
                                + api.describe()
                                + " lost sweep "
                                + id
                                + ": check that PGSHUTTLE_COORDINATOR_URL names one coordinator",
                            null));
        sweep = reader.sweep(body);
      }
    }
    if (json) {
      CommandOutput.printJson(spec, body);
    } else {
      PrintWriter out = spec.commandLine().getOut();
      out.print(SweepText.sweep(sweep));
      if (!waitForReports && !sweep.instances().isEmpty()) {
        out.println(
            "the agents' reports: GET "
                + api.describe()
                + "/v1/gc/"
                + sweep.sweepId()
                + ", or `pgshuttle gc --wait` next time");
      }
      out.flush();
    }
    if (!waitForReports) {
      return ExitCodes.OK;
    }
    if (!sweep.complete()) {
      PrintWriter err = spec.commandLine().getErr();
      err.println(
          "not every agent reported within "
              + Formats.duration(backends.timings().sweepTimeout())
              + ": a stopped agent finds the sweep in its control queue when it starts again; GET "
              + api.describe()
              + "/v1/gc/"
              + sweep.sweepId()
              + " shows the reports later");
      err.flush();
    }
    return sweep.clean() ? ExitCodes.OK : ExitCodes.MIGRATION_FAILED;
  }

  private ClientSettings client() {
    ConfigLoader loader = new ConfigLoader(environment);
    return loader.client(configFile.read(loader));
  }
}
