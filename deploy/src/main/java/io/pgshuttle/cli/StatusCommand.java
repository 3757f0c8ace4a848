package io.pgshuttle.cli;

import io.pgshuttle.cli.config.ClientSettings;
import io.pgshuttle.cli.config.ConfigLoader;
import io.pgshuttle.messages.MigrationId;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code pgshuttle status ID}: one migration, from the coordinator's HTTP API. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = "Shows a migration: its state, attempt, steps with progress, and errors.",
    footerHeading = "%nEnvironment:%n",
    footer = {
      "  PGSHUTTLE_COORDINATOR_URL  default http://127.0.0.1:8080",
      "  PGSHUTTLE_API_TOKEN        the coordinator's API token (scope read)",
    })
final class StatusCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "ID", description = "The migration id that `pgshuttle submit` printed.")
  String id;

  @Option(names = "--json", description = "Print the coordinator's status JSON as it is.")
  boolean json;

  private final Map<String, String> environment;

  @Mixin ConfigFileOption configFile;
  private final Backends backends;

  StatusCommand(Map<String, String> environment, Backends backends) {
    this.environment = environment;
    this.backends = backends;
  }

  @Override
  public Integer call() {
    MigrationId migrationId = CommandOutput.migrationId(id);
    CoordinatorApi api = backends.coordinator(client());
    String body =
        api.migration(migrationId)
            .orElseThrow(() -> CommandOutput.unknownMigration(migrationId, api));
    if (json) {
      CommandOutput.printJson(spec, body);
    } else {
      spec.commandLine()
          .getOut()
          .print(StatusText.migration(new StatusJson(api.describe()).migration(body)));
      spec.commandLine().getOut().flush();
    }
    return ExitCodes.OK;
  }

  private ClientSettings client() {
    ConfigLoader loader = new ConfigLoader(environment);
    return loader.client(configFile.read(loader));
  }
}
