package io.pgshuttle.cli;

import io.pgshuttle.cli.config.ClientSettings;
import io.pgshuttle.cli.config.ConfigLoader;
import io.pgshuttle.messages.MigrationId;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code pgshuttle cancel ID}: asks the coordinator to cancel a migration through its HTTP API;
 * with {@code --wait}, follows it until it ends.
 */
@Command(
    name = "cancel",
    mixinStandardHelpOptions = true,
    description = {
      "Cancels a migration. The agent stops the running step (terminating pg_dump or pg_restore),"
          + " rolls the attempt back as after a failure, and the migration ends CANCELLED; it is"
          + " never retried.",
      "A migration no agent is working on (not dispatched yet, or waiting for its next attempt)"
          + " is CANCELLED at once. One whose agent finished before the cancel reached it stays"
          + " SUCCEEDED. Cancelling again changes nothing.",
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:the cancel was taken; with --wait: the migration ended CANCELLED",
      "1:with --wait: the migration ended SUCCEEDED (the cancel came too late) or FAILED",
      "2:bad input, an unknown migration, or one that already ended SUCCEEDED or FAILED",
      "3:the coordinator cannot be reached",
    },
    footerHeading = "%nEnvironment:%n",
    footer = {
      "  PGSHUTTLE_COORDINATOR_URL  default http://127.0.0.1:8080",
      "  PGSHUTTLE_API_TOKEN        the coordinator's API token (scope operate)",
    })
final class CancelCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "ID", description = "The migration id that `pgshuttle submit` printed.")
  String id;

  @Option(
      names = "--reason",
      paramLabel = "TEXT",
      description = "Why, shown in the status and the agent's log (at most 1000 characters).")
  String reason;

  @Option(
      names = "--wait",
      description =
          "Follow the migration until it ends, showing progress on stderr; exit 0 if it ended"
              + " CANCELLED, 1 if it ended SUCCEEDED or FAILED.")
  boolean waitForEnd;

  @Option(
      names = "--json",
      description =
          "Print the coordinator's status JSON as it is: as the cancel left it, or with --wait"
              + " the final one.")
  boolean json;

  private final Map<String, String> environment;

  @Mixin ConfigFileOption configFile;
  private final Backends backends;

  CancelCommand(Map<String, String> environment, Backends backends) {
    this.environment = environment;
    this.backends = backends;
  }

  @Override
  public Integer call() throws InterruptedException {
    MigrationId migrationId = CommandOutput.migrationId(id);
    ClientSettings settings = client();
    CoordinatorApi api = backends.coordinator(settings);
    String body =
        api.cancel(migrationId, reason)
            .orElseThrow(() -> CommandOutput.unknownMigration(migrationId, api));
    MigrationStatus status = new StatusJson(api.describe()).migration(body);
    if (waitForEnd) {
      return follow(settings, api, migrationId, status);
    }
    if (json) {
      CommandOutput.printJson(spec, body);
    } else {
      PrintWriter out = spec.commandLine().getOut();
      out.println(taken(status));
      out.flush();
    }
    return ExitCodes.OK;
  }

  private int follow(
      ClientSettings settings, CoordinatorApi api, MigrationId migrationId, MigrationStatus taken)
      throws InterruptedException {
    PrintWriter err = spec.commandLine().getErr();
    err.println(taken(taken) + "; following it (Ctrl-C stops following, not the cancel)");
    err.flush();
    ProgressView view = new ProgressView(err, backends.interactiveTerminal());
    MigrationFollower.Outcome outcome =
        new MigrationFollower(api, backends.timings(), settings.topology())
            .follow(migrationId, view);
    MigrationStatus end = outcome.status();
    if ("SUCCEEDED".equals(end.state())) {
      err.println(
          "the cancel came too late: the agent had finished, migration "
              + end.migrationId()
              + " SUCCEEDED");
      err.flush();
    }
    if (json) {
      CommandOutput.printJson(spec, outcome.json());
    } else {
      PrintWriter out = spec.commandLine().getOut();
      out.print(StatusText.migration(end));
      out.flush();
    }
    return "CANCELLED".equals(end.state()) ? ExitCodes.OK : ExitCodes.MIGRATION_FAILED;
  }

  /** What the coordinator did with the cancel, in a sentence. */
  private static String taken(MigrationStatus status) {
    if ("CANCELLED".equals(status.state())) {
      return "migration "
          + status.migrationId()
          + " CANCELLED"
          + (status.error() == null ? "" : ": " + status.error());
    }
    return "cancel of migration "
        + status.migrationId()
        + " requested: the agent of instance "
        + status.instanceId()
        + " stops attempt "
        + status.attempt()
        + " and rolls it back, then the migration ends CANCELLED (`pgshuttle watch "
        + status.migrationId()
        + "` follows it)";
  }

  private ClientSettings client() {
    ConfigLoader loader = new ConfigLoader(environment);
    return loader.client(configFile.read(loader));
  }
}
