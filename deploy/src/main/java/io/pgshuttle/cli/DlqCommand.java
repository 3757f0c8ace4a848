package io.pgshuttle.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgshuttle.cli.config.ConfigLoader;
import io.pgshuttle.messages.Secret;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code pgshuttle dlq list|show|replay|drop}: the coordinator's dead letters (requests that were
 * malformed, invalid, for a busy instance, or over the delivery limit) through its HTTP API.
 */
@Command(
    name = "dlq",
    mixinStandardHelpOptions = true,
    description = {
      "Dead letters: requests the coordinator refused (malformed, invalid, instance_busy) or could"
          + " not process (delivery_limit). The coordinator records each one without its password.",
      "A replay checks the request again and sends it to the requests queue with the same"
          + " requestId; one whose requestId was accepted already is not sent (ALREADY_ACCEPTED)."
          + " A request whose password was removed needs it again: --target-password-file or "
          + TargetPassword.VARIABLE
          + ".",
    },
    commandListHeading = "%nCommands:%n",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:done; replay: every dead letter was REPLAYED or ALREADY_ACCEPTED",
      "1:replay: a dead letter is INVALID (the message says what to fix)",
      "2:bad input, or an unknown dead letter",
      "3:the coordinator cannot be reached",
    },
    footerHeading = "%nEnvironment:%n",
    footer = {
      "  PGSHUTTLE_COORDINATOR_URL  default http://127.0.0.1:8080",
      "  " + TargetPassword.VARIABLE + "  the target password a replay puts back",
    })
final class DlqCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  /** {@code dlq} and its four subcommands. */
  static CommandLine commandLine(Map<String, String> environment, Backends backends) {
    return new CommandLine(new DlqCommand())
        .addSubcommand(new ListDeadLetters(environment, backends))
        .addSubcommand(new ShowDeadLetter(environment, backends))
        .addSubcommand(new ReplayDeadLetters(environment, backends))
        .addSubcommand(new DropDeadLetter(environment, backends));
  }

  @Override
  public Integer call() {
    spec.commandLine().getErr().println("pgshuttle dlq: name a command: list, show, replay, drop");
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCodes.USAGE;
  }

  /** What the subcommands share: the coordinator, and how a reply is printed. */
  abstract static class Subcommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--json", description = "Print the coordinator's JSON as it is.")
    boolean json;

    @Mixin ConfigFileOption configFile;

    private final Map<String, String> environment;
    private final Backends backends;

    Subcommand(Map<String, String> environment, Backends backends) {
      this.environment = environment;
      this.backends = backends;
    }

    Map<String, String> environment() {
      return environment;
    }

    CoordinatorApi coordinator() {
      ConfigLoader loader = new ConfigLoader(environment);
      return backends.coordinator(loader.client(configFile.read(loader)));
    }

    /** The JSON as it is with --json, else {@code text}. */
    void print(String body, String text) {
      if (json) {
        CommandOutput.printJson(spec, body);
      } else {
        spec.commandLine().getOut().print(text);
        spec.commandLine().getOut().flush();
      }
    }

    static UUID id(String text) {
      try {
        return UUID.fromString(text.trim());
      } catch (IllegalArgumentException e) {
        throw CliException.badInput(
            "'" + text + "' is not a dead-letter id: give an ID that `pgshuttle dlq list` shows");
      }
    }

    static CliException unknown(UUID id, CoordinatorApi api) {
      return CliException.badInput(
          "the coordinator at "
              + api.describe()
              + " knows no dead letter "
              + id
              + ": `pgshuttle dlq list` shows those it has");
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "Lists dead letters, newest first.")
  static final class ListDeadLetters extends Subcommand {
    @Option(
        names = "--reason",
        paramLabel = "R",
        description =
            "Only this reason: malformed, invalid, instance_busy, delivery_limit (or the broker's"
                + " own reason).")
    String reason;

    @Option(names = "--instance", paramLabel = "I", description = "Only this instance's.")
    String instance;

    @Option(
        names = "--limit",
        paramLabel = "N",
        description = "At most this many, 1 to 1000 (the coordinator's default of 50 if left out).")
    Integer limit;

    @Option(
        names = "--after",
        paramLabel = "CURSOR",
        description = "The next page: the cursor the page before ended with.")
    String after;

    ListDeadLetters(Map<String, String> environment, Backends backends) {
      super(environment, backends);
    }

    @Override
    public Integer call() {
      CommandOutput.checkInstanceOption(instance);
      if (limit != null && limit < 1) {
        throw CliException.badInput("--limit must be at least 1, not " + limit);
      }
      CoordinatorApi api = coordinator();
      String body = api.deadLetters(reason, instance, limit, after);
      JsonNode page = new StatusJson(api.describe()).withField(body, "deadLetters", true);
      print(body, DeadLetterText.list(page));
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Shows one dead letter with its request (without its password) or raw body.")
  static final class ShowDeadLetter extends Subcommand {
    @Parameters(paramLabel = "ID", description = "The dead letter's id, from `pgshuttle dlq list`.")
    String id;

    ShowDeadLetter(Map<String, String> environment, Backends backends) {
      super(environment, backends);
    }

    @Override
    public Integer call() {
      UUID deadLetter = id(id);
      CoordinatorApi api = coordinator();
      String body = api.deadLetter(deadLetter).orElseThrow(() -> unknown(deadLetter, api));
      print(body, DeadLetterText.show(new StatusJson(api.describe()).withField(body, "id", false)));
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "replay",
      mixinStandardHelpOptions = true,
      description = {
        "Replays one dead letter, or with --all every one that --reason and --instance select"
            + " (oldest first).",
        "The password goes to each replayed request that had its password removed; without one,"
            + " such a request is refused (INVALID in a bulk replay).",
      })
  static final class ReplayDeadLetters extends Subcommand {
    @Parameters(
        paramLabel = "ID",
        arity = "0..1",
        description = "The dead letter's id, from `pgshuttle dlq list`; not with --all.")
    String id;

    @Option(
        names = "--all",
        description = "Replay every dead letter the filters select (all of them without filters).")
    boolean all;

    @Option(names = "--reason", paramLabel = "R", description = "With --all: only this reason.")
    String reason;

    @Option(names = "--instance", paramLabel = "I", description = "With --all: only this instance.")
    String instance;

    @Mixin TargetPassword targetPassword;

    ReplayDeadLetters(Map<String, String> environment, Backends backends) {
      super(environment, backends);
    }

    @Override
    public Integer call() {
      if (targetPassword.onCommandLine()) {
        throw CliException.badInput(TargetPassword.REFUSED);
      }
      if (all == (id != null)) {
        throw CliException.badInput(
            "name one dead letter by its ID, or replay every one the filters select with --all");
      }
      if (!all && (reason != null || instance != null)) {
        throw CliException.badInput("--reason and --instance select dead letters for --all only");
      }
      CommandOutput.checkInstanceOption(instance);
      UUID deadLetter = all ? null : id(id);
      Secret password = targetPassword.read(environment());
      CoordinatorApi api = coordinator();
      StatusJson reader = new StatusJson(api.describe());
      List<JsonNode> results = new ArrayList<>();
      String body;
      if (all) {
        body = api.replayDeadLetters(reason, instance, password);
        reader.withField(body, "results", true).path("results").forEach(results::add);
      } else {
        body =
            api.replayDeadLetter(deadLetter, password).orElseThrow(() -> unknown(deadLetter, api));
        results.add(reader.withField(body, "outcome", false));
      }
      print(body, DeadLetterText.results(results));
      boolean invalid =
          results.stream().anyMatch(result -> "INVALID".equals(result.path("outcome").asText()));
      return invalid ? ExitCodes.MIGRATION_FAILED : ExitCodes.OK;
    }
  }

  @Command(
      name = "drop",
      mixinStandardHelpOptions = true,
      description = "Deletes one dead letter from the coordinator's registry.")
  static final class DropDeadLetter extends Subcommand {
    @Parameters(paramLabel = "ID", description = "The dead letter's id, from `pgshuttle dlq list`.")
    String id;

    DropDeadLetter(Map<String, String> environment, Backends backends) {
      super(environment, backends);
    }

    @Override
    public Integer call() {
      UUID deadLetter = id(id);
      CoordinatorApi api = coordinator();
      String body = api.dropDeadLetter(deadLetter).orElseThrow(() -> unknown(deadLetter, api));
      print(body, "dropped dead letter " + deadLetter + "\n");
      return ExitCodes.OK;
    }
  }
}
