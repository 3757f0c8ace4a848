package io.pgshuttle.cli;

import io.pgshuttle.cli.config.ConfigFile;
import io.pgshuttle.cli.config.ConfigLoader;
import io.pgshuttle.cli.config.Validated;
import io.pgshuttle.coordinator.CoordinatorConfig;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code pgshuttle coordinator}: request intake, dispatch, status view and HTTP API. */
@Command(
    name = "coordinator",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the coordinator until SIGTERM or SIGINT: takes requests from the requests queue,"
          + " records migrations in its PostgreSQL store, dispatches them to the agents, folds"
          + " their events into the status view, and serves the HTTP API.",
    },
    footerHeading = "%nEnvironment (overrides the file):%n",
    footer = {
      "  PGSHUTTLE_AMQP_URI        the broker, amqp://USER:PASSWORD@HOST:PORT/VHOST",
      "  PGSHUTTLE_NAMESPACE       prefix of broker names, default pgshuttle",
      "  PGSHUTTLE_STORE_URL       the store, jdbc:postgresql://HOST:PORT/DB",
      "  PGSHUTTLE_STORE_USER      the store's user, unless the URL names it",
      "  PGSHUTTLE_STORE_PASSWORD  the store's password",
      "  PGSHUTTLE_HTTP_PORT       HTTP API port, default 8080",
      "  PGSHUTTLE_SIGNING_KEY     the coordinator's key pair file (required)",
      "  PGSHUTTLE_AGENT_KEYS      the directory of the agents' public keys (required)",
    })
final class CoordinatorCommand extends DaemonCommand<CoordinatorConfig> {
  CoordinatorCommand(Map<String, String> environment, Daemons daemons) {
    super(environment, daemons);
  }

  @Override
  Validated<CoordinatorConfig> configure(ConfigLoader loader, ConfigFile file) {
    return loader.coordinator(file);
  }

  @Override
  void run(Daemons daemons, CoordinatorConfig config) throws Exception {
    daemons.runCoordinator(config);
  }
}
