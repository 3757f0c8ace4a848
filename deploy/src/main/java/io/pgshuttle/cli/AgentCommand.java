package io.pgshuttle.cli;

import io.pgshuttle.agent.AgentConfig;
import io.pgshuttle.cli.config.ConfigFile;
import io.pgshuttle.cli.config.ConfigLoader;
import io.pgshuttle.cli.config.Validated;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code pgshuttle agent}: the daemon on one source VM that runs the migration pipeline. */
@Command(
    name = "agent",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the agent of one instance until SIGTERM or SIGINT: takes StartMigration commands from"
          + " the instance's queue and runs PREFLIGHT, PROVISION_DISK, QUIESCE_SOURCE, DUMP,"
          + " RESTORE, VERIFY, CUTOVER and CLEANUP, rolling back on failure.",
    },
    footerHeading = "%nEnvironment (overrides the file):%n",
    footer = {
      "  PGSHUTTLE_AMQP_URI         the broker, amqp://USER:PASSWORD@HOST:PORT/VHOST",
      "  PGSHUTTLE_NAMESPACE        prefix of broker names, default pgshuttle",
      "  PGSHUTTLE_INSTANCE         this VM's instance id, its queue name (required)",
      "  PGSHUTTLE_SOURCE_URL       the local server, postgresql://SUPERUSER@HOST:PORT",
      "  PGSHUTTLE_SOURCE_PASSWORD  its password, if it asks for one",
      "  PGSHUTTLE_PG_BINDIR        pg_dump etc., default /usr/lib/postgresql/15/bin",
      "  PGSHUTTLE_IAAS             disk provider, default local",
      "  PGSHUTTLE_LOCAL_DISK_ROOT  where the local provider makes its disks",
      "  PGSHUTTLE_STATE_DIR        the journal, on a persistent disk (required)",
      "  PGSHUTTLE_SIGNING_KEY      this agent's Ed25519 key pair file (required)",
      "  PGSHUTTLE_SEALING_KEY      this agent's X25519 key pair file (required)",
      "  PGSHUTTLE_COORDINATOR_KEYS the coordinator's public key files, comma-separated",
    })
final class AgentCommand extends DaemonCommand<AgentConfig> {
  AgentCommand(Map<String, String> environment, Daemons daemons) {
    super(environment, daemons);
  }

  @Override
  Validated<AgentConfig> configure(ConfigLoader loader, ConfigFile file) {
    return loader.agent(file);
  }

  @Override
  void run(Daemons daemons, AgentConfig config) throws Exception {
    daemons.runAgent(config);
  }
}
