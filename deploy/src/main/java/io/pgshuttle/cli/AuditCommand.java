package io.pgshuttle.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgshuttle.cli.config.ConfigLoader;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MigrationId;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pgshuttle audit}: the coordinator's audit log, newest first, from its HTTP API. */
@Command(
    name = "audit",
    mixinStandardHelpOptions = true,
    description = {
      "Lists the coordinator's audit log, newest first (the latest 100 entries that match): every"
          + " command it issued to an agent (COMMAND_ISSUED), every cancel request"
          + " (CANCEL_REQUESTED) and every sweep of leftovers (GC_REQUESTED), with who asked"
          + " and when."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:listed", "2:bad input", "3:the coordinator cannot be reached"},
    footerHeading = "%nEnvironment:%n",
    footer = "  PGSHUTTLE_COORDINATOR_URL  default http://127.0.0.1:8080")
final class AuditCommand implements Callable<Integer> {
  private static final int DETAIL_WIDTH = 80;

  @Spec CommandSpec spec;

  @Option(names = "--migration", paramLabel = "ID", description = "Only entries of this migration.")
  String migration;

  @Option(
      names = "--action",
      paramLabel = "A",
      description = "Only entries of this action, such as COMMAND_ISSUED or CANCEL_REQUESTED.")
  String action;

  @Option(
      names = "--since",
      paramLabel = "T",
      description =
          "Only entries recorded at or after this ISO-8601 instant (2024-05-01T12:00:00Z).")
  String since;

  @Mixin ConfigFileOption configFile;

  @Option(names = "--json", description = "Print the coordinator's JSON as it is.")
  boolean json;

  private final Map<String, String> environment;
  private final Backends backends;
  private final ObjectMapper mapper = MessageCodec.newObjectMapper();

  AuditCommand(Map<String, String> environment, Backends backends) {
    this.environment = environment;
    this.backends = backends;
  }

  @Override
  public Integer call() {
    MigrationId migrationId = migration == null ? null : CommandOutput.migrationId(migration);
    Instant from = null;
    if (since != null) {
      try {
        from = Instant.parse(since.trim());
      } catch (DateTimeParseException e) {
        throw CliException.badInput(
            "--since '" + since + "' is not an ISO-8601 instant such as 2024-05-01T12:00:00Z");
      }
    }
    String wantedAction = action == null ? null : action.trim().toUpperCase(Locale.ROOT);
    ConfigLoader loader = new ConfigLoader(environment);
    CoordinatorApi api = backends.coordinator(loader.client(configFile.read(loader)));
    String body = api.audit(migrationId, wantedAction, from);
    if (json) {
      CommandOutput.printJson(spec, body);
    } else {
      spec.commandLine().getOut().print(table(body, api));
      spec.commandLine().getOut().flush();
    }
    return ExitCodes.OK;
  }

  private String table(String body, CoordinatorApi api) {
    JsonNode entries;
    try {
      entries = mapper.readTree(body).path("entries");
    } catch (IOException e) {
      entries = null;
    }
    if (entries == null || !entries.isArray()) {
      throw CliException.unreachable(
          "the coordinator at " + api.describe() + " answered no {\"entries\": [...]}", null);
    }
    if (entries.isEmpty()) {
      return "No audit entries.\n";
    }
    TextTable table = new TextTable("AT", "WHO", "ACTION", "MIGRATION", "INSTANCE", "DETAIL");
    for (JsonNode entry : entries) {
      table.row(
          Formats.time(Instant.parse(entry.path("at").asText())),
          entry.path("who").asText(),
          entry.path("action").asText(),
          entry.path("migrationId").isTextual() ? entry.path("migrationId").asText() : "",
          entry.path("instanceId").isTextual() ? entry.path("instanceId").asText() : "",
          Formats.shorten(entry.path("detail").toString(), DETAIL_WIDTH));
    }
    return table.render();
  }
}
