package io.pgshuttle.cli;

import io.pgshuttle.cli.config.ConfigException;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * The {@code pgshuttle} command: the daemons ({@code coordinator}, {@code agent}) and the client
 * commands ({@code submit}, {@code status}, {@code list}, {@code watch}, {@code cancel}, {@code
 * gc}, {@code dlq}). Exit codes are in {@link ExitCodes}.
 */
@Command(
    name = "pgshuttle",
    mixinStandardHelpOptions = true,
    versionProvider = PgShuttle.Version.class,
    description = {
      "Moves PostgreSQL databases of a fleet of VMs to other servers, offline, verified, with a"
          + " rollback and a retry of the whole operation on any failure.",
    },
    commandListHeading = "%nCommands:%n",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:done; with submit --wait and watch: the migration SUCCEEDED; with cancel --wait: it"
          + " ended CANCELLED; with gc --wait: nothing is left",
      "1:the migration ended FAILED or CANCELLED; with cancel --wait: it ended SUCCEEDED or"
          + " FAILED; with gc --wait: something could not be removed, or an agent did not report;"
          + " with dlq replay: a dead letter was INVALID",
      "2:bad input or usage: nothing was published, started or cancelled",
      "3:the broker or the coordinator cannot be reached (the message names the setting)",
      "4:a fault in pgshuttle itself",
    })
public final class PgShuttle implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    err.println("pgshuttle: name a command");
    spec.commandLine().usage(err);
    return ExitCodes.USAGE;
  }

  public static void main(String[] args) {
    System.exit(commandLine(System.getenv(), new LiveBackends(Timings.standard())).execute(args));
  }

  /**
   * The whole command tree.
   *
   * @param environment the PGSHUTTLE_* variables (the process environment, or a test's map)
   */
  public static CommandLine commandLine(Map<String, String> environment, Backends backends) {
    CommandLine commandLine =
        new CommandLine(new PgShuttle())
            .addSubcommand(new CoordinatorCommand(environment, backends.daemons()))
            .addSubcommand(new AgentCommand(environment, backends.daemons()))
            .addSubcommand(new SubmitCommand(environment, backends))
            .addSubcommand(new StatusCommand(environment, backends))
            .addSubcommand(new ListCommand(environment, backends))
            .addSubcommand(new WatchCommand(environment, backends))
            .addSubcommand(new CancelCommand(environment, backends))
            .addSubcommand(new GcCommand(environment, backends))
            .addSubcommand(DlqCommand.commandLine(environment, backends));
    commandLine.setExecutionExceptionHandler(PgShuttle::handle);
    return commandLine;
  }

  /** Turns what a command threw into a message on stderr and an exit code. */
  private static int handle(Exception e, CommandLine command, ParseResult parsed) {
    PrintWriter err = command.getErr();
    String name = command.getCommandSpec().qualifiedName();
    int exitCode;
    if (e instanceof CliException cli) {
      err.println(name + ": " + cli.getMessage());
      exitCode = cli.exitCode();
    } else if (e instanceof ConfigException config) {
      err.println(name + ": " + config.getMessage());
      exitCode = ExitCodes.USAGE;
    } else {
      err.println(name + ": unexpected error, please report it: " + e);
      e.printStackTrace(err);
      exitCode = ExitCodes.INTERNAL_ERROR;
    }
    err.flush();
    return exitCode;
  }

  /** The version from the jar's manifest ({@code Implementation-Version}). */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = PgShuttle.class.getPackage().getImplementationVersion();
      return new String[] {"pgshuttle " + (version == null ? "(development build)" : version)};
    }
  }
}
