package io.pgshuttle.cli;

import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.Names;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;

/** What several commands print or check the same way. Stateless. */
final class CommandOutput {
  private CommandOutput() {}

  /**
   * Prints each problem on stderr, prefixed by the command's name, then what was not done.
   *
   * @return {@link ExitCodes#USAGE}
   */
  static int refuse(CommandSpec spec, List<String> problems, String consequence) {
    PrintWriter err = spec.commandLine().getErr();
    for (String problem : problems) {
      err.println(spec.qualifiedName() + ": " + problem);
    }
    err.println(spec.qualifiedName() + ": " + consequence);
    err.flush();
    return ExitCodes.USAGE;
  }

  /** The coordinator's JSON exactly as it came, ending with a newline. */
  static void printJson(CommandSpec spec, String json) {
    PrintWriter out = spec.commandLine().getOut();
    out.print(json.endsWith("\n") ? json : json + "\n");
    out.flush();
  }

  /**
   * @throws CliException exit code 2 if {@code text} is not a migration id
   */
  static MigrationId migrationId(String text) {
    try {
      return MigrationId.parse(text.trim());
    } catch (IllegalArgumentException e) {
      throw CliException.badInput(
          "'" + text + "' is not a migration id: give the id that `pgshuttle submit` printed");
    }
  }

  /**
   * @throws CliException exit code 2 if {@code instance}, given by {@code --instance}, is not null
   *     and not an instance id
   */
  static void checkInstanceOption(String instance) {
    if (instance != null && !Names.isValidInstanceId(instance)) {
      throw CliException.badInput(
          "--instance '" + instance + "' is not an instance id: letters, digits, '_' or '-'");
    }
  }

  /** The error for a migration the coordinator does not know. */
  static CliException unknownMigration(MigrationId id, CoordinatorApi api) {
    return CliException.badInput(
        "the coordinator at "
            + api.describe()
            + " knows no migration "
            + id
            + ": check the id, and that PGSHUTTLE_COORDINATOR_URL names the coordinator that"
            + " took the request");
  }
}
