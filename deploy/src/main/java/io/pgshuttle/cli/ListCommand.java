package io.pgshuttle.cli;

import io.pgshuttle.cli.config.ClientSettings;
import io.pgshuttle.cli.config.ConfigLoader;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pgshuttle list}: migrations, newest first, from the coordinator's HTTP API. */
@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    description = "Lists migrations, newest first.",
    footerHeading = "%nEnvironment:%n",
    footer = {
      "  PGSHUTTLE_COORDINATOR_URL  default http://127.0.0.1:8080",
      "  PGSHUTTLE_API_TOKEN        the coordinator's API token (scope read)",
    })
final class ListCommand implements Callable<Integer> {
  private static final Set<String> STATES =
      Set.of("PENDING", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED");

  @Spec CommandSpec spec;

  @Option(
      names = "--state",
      paramLabel = "S",
      description =
          "Only migrations in this state: PENDING, RUNNING, SUCCEEDED, FAILED, CANCELLED.")
  String state;

  @Option(names = "--instance", paramLabel = "I", description = "Only migrations of this instance.")
  String instance;

  @Option(
      names = "--limit",
      paramLabel = "N",
      description = "At most this many (the coordinator's default if left out).")
  Integer limit;

  @Option(names = "--json", description = "Print the coordinator's JSON array as it is.")
  boolean json;

  private final Map<String, String> environment;

  @Mixin ConfigFileOption configFile;
  private final Backends backends;

  ListCommand(Map<String, String> environment, Backends backends) {
    this.environment = environment;
    this.backends = backends;
  }

  @Override
  public Integer call() {
    String wantedState = state == null ? null : state.trim().toUpperCase(Locale.ROOT);
    if (wantedState != null && !STATES.contains(wantedState)) {
      throw CliException.badInput(
          "--state '" + state + "' is not one of PENDING, RUNNING, SUCCEEDED, FAILED, CANCELLED");
    }
    CommandOutput.checkInstanceOption(instance);
    if (limit != null && limit < 1) {
      throw CliException.badInput("--limit must be at least 1, not " + limit);
    }
    CoordinatorApi api = backends.coordinator(client());
    String body = api.migrations(wantedState, instance, limit);
    if (json) {
      CommandOutput.printJson(spec, body);
    } else {
      spec.commandLine()
          .getOut()
          .print(StatusText.list(new StatusJson(api.describe()).migrations(body)));
      spec.commandLine().getOut().flush();
    }
    return ExitCodes.OK;
  }

  private ClientSettings client() {
    ConfigLoader loader = new ConfigLoader(environment);
    return loader.client(configFile.read(loader));
  }
}
