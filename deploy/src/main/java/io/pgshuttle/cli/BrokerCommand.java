package io.pgshuttle.cli;

import io.pgshuttle.amqp.BrokerGrants;
import io.pgshuttle.amqp.BrokerObjects;
import io.pgshuttle.cli.config.ConfigFile;
import io.pgshuttle.cli.config.ConfigLoader;
import io.pgshuttle.messages.Names;
import io.pgshuttle.messages.Secret;
import io.pgshuttle.messages.Topology;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pgshuttle broker}: prepares a RabbitMQ virtual host for a production installation through
 * the management HTTP API: the shared exchanges and queues, and one broker user per agent, one for
 * the coordinator and one for control planes, each with the least permissions of {@link
 * BrokerGrants}. Every subcommand is idempotent. Passwords come from files, never from arguments;
 * users that log in with a client certificate get none.
 */
@Command(
    name = "broker",
    mixinStandardHelpOptions = true,
    description = {
      "Prepares RabbitMQ for production through its management HTTP API (the node must run the"
          + " rabbitmq_management plugin): run 'setup' once, 'add-coordinator' and"
          + " 'add-control-plane' once, and 'add-agent' for each VM. Each may be run again.",
    },
    footerHeading = "%nEnvironment:%n",
    footer = {
      "  PGSHUTTLE_BROKER_ADMIN_USER      a RabbitMQ user tagged administrator (required)",
      "  PGSHUTTLE_BROKER_ADMIN_PASSWORD  its password (required)",
      "  PGSHUTTLE_NAMESPACE              default pgshuttle",
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:done",
      "2:bad input, or the management API refused a change (the message says which)",
      "3:the management API cannot be reached",
    })
final class BrokerCommand {
  private static final String ADMIN_USER = "PGSHUTTLE_BROKER_ADMIN_USER";
  private static final String ADMIN_PASSWORD = "PGSHUTTLE_BROKER_ADMIN_PASSWORD";

  @Spec CommandSpec spec;

  @Option(
      names = "--management-url",
      paramLabel = "URL",
      defaultValue = "http://127.0.0.1:15672",
      description = "The RabbitMQ management API. Default: ${DEFAULT-VALUE}.",
      scope = picocli.CommandLine.ScopeType.INHERIT)
  String managementUrl;

  @Option(
      names = "--vhost",
      paramLabel = "VHOST",
      defaultValue = "/",
      description =
          "The virtual host of the installation, as in PGSHUTTLE_AMQP_URI. Default: ${DEFAULT-VALUE}.",
      scope = picocli.CommandLine.ScopeType.INHERIT)
  String vhost;

  private final Map<String, String> environment;

  BrokerCommand(Map<String, String> environment) {
    this.environment = environment;
  }

  @Command(
      name = "setup",
      mixinStandardHelpOptions = true,
      description =
          "Creates the virtual host and the shared exchanges and queues (the definitions of"
              + " deploy/broker/definitions.json, for the configured namespace).")
  int setup() {
    RabbitManagement management = management();
    management.putVhost(vhost);
    management.importDefinitions(vhost, BrokerDefinitions.of(topology(), vhost));
    return done("the exchanges and queues of namespace " + topology().namespace() + " exist");
  }

  @Command(
      name = "add-agent",
      mixinStandardHelpOptions = true,
      description =
          "Creates the queues of one VM's agent and its broker user agent-<instance>: it may read"
              + " only its own two queues and publish only events whose routing key starts with"
              + " its instance id, and may not declare, delete or purge anything. Run 'setup'"
              + " first.")
  int addAgent(
      @Option(names = "--instance", required = true, paramLabel = "I", description = "The VM.")
          String instance,
      @Mixin NewUserLogin login) {
    if (!Names.isValidInstanceId(instance)) {
      throw CliException.badInput(
          "--instance '" + instance + "' is invalid: use 1 to 63 letters, digits, '_' or '-'");
    }
    Secret password = login.password();
    Topology topology = topology();
    RabbitManagement management = management();
    management.declareQueues(vhost, BrokerObjects.agentQueues(topology, instance));
    return addUser(management, password, BrokerGrants.agent(topology, instance));
  }

  @Command(
      name = "add-coordinator",
      mixinStandardHelpOptions = true,
      description =
          "Creates the coordinator's broker user "
              + BrokerGrants.COORDINATOR_USER
              + ": it works the shared exchanges and queues, never an agent's queue.")
  int addCoordinator(@Mixin NewUserLogin login) {
    Secret password = login.password();
    return addUser(management(), password, BrokerGrants.coordinator(topology()));
  }

  @Command(
      name = "add-control-plane",
      mixinStandardHelpOptions = true,
      description =
          "Creates the broker user "
              + BrokerGrants.CONTROL_PLANE_USER
              + " of control planes and of 'pgshuttle submit' and 'watch': it publishes requests"
              + " and follows events through queues of its own; it cannot publish commands or"
              + " events.")
  int addControlPlane(@Mixin NewUserLogin login) {
    Secret password = login.password();
    return addUser(management(), password, BrokerGrants.controlPlane(topology()));
  }

  /** How a new broker user logs in: with a password from a file, or with a certificate only. */
  static final class NewUserLogin {
    @Option(
        names = "--password-file",
        paramLabel = "FILE",
        description = "A file holding the new user's password (one line).")
    Path passwordFile;

    @Option(
        names = "--certificate-login",
        description =
            "Give the user no password: it logs in only with a client certificate whose common"
                + " name is the user's name (auth_mechanism=external).")
    boolean certificateOnly;

    /**
     * The password, or null for a user without one.
     *
     * @throws CliException unless exactly one of the two options is given, or if the file is
     *     unusable
     */
    Secret password() {
      if ((passwordFile != null) == certificateOnly) {
        throw CliException.badInput("give either --password-file FILE or --certificate-login");
      }
      return certificateOnly ? null : PasswordFiles.read(passwordFile, "--password-file");
    }
  }

  private int addUser(RabbitManagement management, Secret password, BrokerGrants.Grant grant) {
    management.putUser(grant.user(), password);
    management.grant(vhost, grant, topology().eventsExchange());
    return done("user " + grant.user() + " exists with its permissions in vhost " + vhost);
  }

  private int done(String what) {
    spec.commandLine().getOut().println(what);
    spec.commandLine().getOut().flush();
    return ExitCodes.OK;
  }

  private Topology topology() {
    return new ConfigLoader(environment).client(ConfigFile.empty()).topology();
  }

  private RabbitManagement management() {
    String user = environment.get(ADMIN_USER);
    String password = environment.get(ADMIN_PASSWORD);
    if (user == null || user.isBlank() || password == null || password.isEmpty()) {
      throw CliException.badInput(
          ADMIN_USER
              + " and "
              + ADMIN_PASSWORD
              + " must be set: a RabbitMQ user tagged administrator");
    }
    URI url;
    try {
      url = new URI(managementUrl);
    } catch (URISyntaxException e) {
      url = null;
    }
    if (url == null
        || url.getHost() == null
        || !("http".equals(url.getScheme()) || "https".equals(url.getScheme()))) {
      throw CliException.badInput(
          "--management-url '"
              + managementUrl
              + "' is not an http(s) URL: write it as http://HOST:15672");
    }
    return new RabbitManagement(url, user.trim(), Secret.of(password));
  }
}
