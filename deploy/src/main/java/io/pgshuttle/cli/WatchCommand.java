package io.pgshuttle.cli;

import io.pgshuttle.cli.config.ClientSettings;
import io.pgshuttle.cli.config.ConfigLoader;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.MigrationId;
import java.io.PrintWriter;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code pgshuttle watch ID}: the current status from the HTTP API, then the migration's events
 * live from the broker until it ends.
 */
@Command(
    name = "watch",
    mixinStandardHelpOptions = true,
    description = {
      "Shows a migration's status, then follows its events live: each step as it starts and"
          + " ends, with a progress bar, until the migration ends.",
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:the migration SUCCEEDED",
      "1:the migration ended FAILED or CANCELLED",
      "2:bad input, or a migration the coordinator does not know",
      "3:the broker or the coordinator cannot be reached",
    },
    footerHeading = "%nEnvironment:%n",
    footer = {
      "  PGSHUTTLE_AMQP_URI         the broker, amqp://USER:PASSWORD@HOST:PORT/VHOST",
      "  PGSHUTTLE_NAMESPACE        prefix of broker names, default pgshuttle",
      "  PGSHUTTLE_COORDINATOR_URL  default http://127.0.0.1:8080",
      "  PGSHUTTLE_API_TOKEN        the coordinator's API token (scope read)",
    })
final class WatchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "ID", description = "The migration id that `pgshuttle submit` printed.")
  String id;

  private final Map<String, String> environment;

  @Mixin ConfigFileOption configFile;
  private final Backends backends;

  WatchCommand(Map<String, String> environment, Backends backends) {
    this.environment = environment;
    this.backends = backends;
  }

  @Override
  public Integer call() throws InterruptedException {
    MigrationId migrationId = CommandOutput.migrationId(id);
    ClientSettings settings = client();
    CoordinatorApi api = backends.coordinator(settings);
    StatusJson statusJson = new StatusJson(api.describe());
    PrintWriter out = spec.commandLine().getOut();
    // Subscribe before reading the status, so no event falls between the two.
    try (EventFeed.Subscription events = backends.events(settings).subscribe(migrationId)) {
      MigrationStatus status = statusJson.migration(fetch(api, migrationId));
      out.print(StatusText.migration(status));
      out.flush();
      if (status.terminal()) {
        return status.exitCode();
      }
      out.println();
      out.println(
          "Following migration " + migrationId + " (Ctrl-C stops watching, not the migration)");
      ProgressView view = new ProgressView(out, backends.interactiveTerminal());
      EventPrinter printer = new EventPrinter(view, status);
      while (true) {
        Optional<Envelope<Event>> event = events.next(backends.timings().statusCheckInterval());
        if (event.isPresent()) {
          OptionalInt ended = printer.show(event.get());
          if (ended.isPresent()) {
            view.finish();
            printFinalStatus(api, statusJson, migrationId);
            return ended.getAsInt();
          }
        } else {
          // Quiet for a while: the migration may have ended without an event (e.g. cancelled).
          MigrationStatus now = statusJson.migration(fetch(api, migrationId));
          if (now.terminal()) {
            view.finish();
            view.migrationEnded(now.state(), now.error());
            printStatus(now);
            return now.exitCode();
          }
        }
      }
    }
  }

  private static String fetch(CoordinatorApi api, MigrationId migrationId) {
    return api.migration(migrationId)
        .orElseThrow(() -> CommandOutput.unknownMigration(migrationId, api));
  }

  /**
   * The coordinator's view once it has folded the final event; skipped if it has not within one
   * status check interval, since the event already told the outcome.
   */
  private void printFinalStatus(CoordinatorApi api, StatusJson statusJson, MigrationId migrationId)
      throws InterruptedException {
    long deadline = System.nanoTime() + backends.timings().statusCheckInterval().toNanos();
    while (true) {
      MigrationStatus status = statusJson.migration(fetch(api, migrationId));
      if (status.terminal()) {
        printStatus(status);
        return;
      }
      if (System.nanoTime() > deadline) {
        return;
      }
      Thread.sleep(backends.timings().pollInterval().toMillis());
    }
  }

  private void printStatus(MigrationStatus status) {
    PrintWriter out = spec.commandLine().getOut();
    out.println();
    out.print(StatusText.migration(status));
    out.flush();
  }

  private ClientSettings client() {
    ConfigLoader loader = new ConfigLoader(environment);
    return loader.client(configFile.read(loader));
  }
}
