package io.pgshuttle.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgshuttle.cli.config.ClientSettings;
import io.pgshuttle.cli.config.ConfigLoader;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.MigrationOptions;
import io.pgshuttle.messages.MigrationRequest;
import io.pgshuttle.messages.Secret;
import io.pgshuttle.messages.SslMode;
import io.pgshuttle.messages.TargetServer;
import io.pgshuttle.messages.VerifyLevel;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pgshuttle submit}: validates a migration request, publishes it to the requests queue, and
 * prints its migration id; with {@code --wait}, follows it to its end.
 */
@Command(
    name = "submit",
    mixinStandardHelpOptions = true,
    description = {
      "Asks the coordinator to migrate an instance's databases to a target server: publishes a"
          + " request to the requests queue and prints the migration id.",
      "The target password comes from PGSHUTTLE_TARGET_PASSWORD or --target-password-file,"
          + " never from the command line.",
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:published; with --wait: the migration SUCCEEDED",
      "1:with --wait: the migration ended FAILED or CANCELLED",
      "2:bad input: nothing was published",
      "3:the broker or the coordinator cannot be reached",
    },
    footerHeading = "%nEnvironment:%n",
    footer = {
      "  PGSHUTTLE_TARGET_PASSWORD  the target user's password",
      "  PGSHUTTLE_AMQP_URI         the broker, amqp://USER:PASSWORD@HOST:PORT/VHOST",
      "  PGSHUTTLE_NAMESPACE        prefix of broker names, default pgshuttle",
      "  PGSHUTTLE_COORDINATOR_URL  for --wait, default http://127.0.0.1:8080",
      "  PGSHUTTLE_API_TOKEN        the coordinator's API token (scope read), for --wait",
    })
final class SubmitCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--instance",
      required = true,
      paramLabel = "ID",
      description = "The instance (VM) whose databases move; its agent runs the migration.")
  String instance;

  @Option(
      names = "--target",
      required = true,
      paramLabel = "postgresql://USER@HOST:PORT",
      description =
          "The target server and a user that can create databases and roles; port 5432 if left"
              + " out. No password here.")
  String target;

  @Option(
      names = "--database",
      paramLabel = "NAME",
      description = "A database to move; repeat for more. Default: every non-template database.")
  List<String> databases = new ArrayList<>();

  @Option(
      names = "--jobs",
      paramLabel = "N",
      description =
          "Sessions copying tables out of the source, workers loading them into the target,"
              + " workers building their indexes beside them, and pg_restore jobs (default 2).")
  Integer jobs;

  @Option(
      names = "--max-attempts",
      paramLabel = "N",
      description = "Attempts before the migration is FAILED (default 3).")
  Integer maxAttempts;

  @Option(
      names = "--keep-source-locked",
      description = "Leave the source databases closed to applications after success.")
  boolean keepSourceLocked;

  @Option(
      names = "--verify",
      paramLabel = "full|counts",
      converter = WireNames.VerifyLevelConverter.class,
      description = "What VERIFY compares: full (row counts and checksums, the default) or counts.")
  VerifyLevel verify;

  @Option(
      names = "--sslmode",
      paramLabel = "MODE",
      converter = WireNames.SslModeConverter.class,
      description =
          "libpq sslmode towards the target: disable, allow, prefer (default), require,"
              + " verify-ca, verify-full.")
  SslMode sslmode;

  @Option(
      names = "--request-id",
      paramLabel = "ID",
      description = "Idempotency key: the same id is the same migration (default: a random UUID).")
  String requestId;

  @Mixin TargetPassword targetPassword;

  @Option(
      names = "--wait",
      description =
          "Follow the migration until it ends, showing progress on stderr; exit 0 if it"
              + " SUCCEEDED, 1 if it FAILED or was CANCELLED.")
  boolean waitForEnd;

  @Option(
      names = "--json",
      description =
          "Print {\"migrationId\", \"requestId\"} as JSON; with --wait, the final status JSON.")
  boolean json;

  private final Map<String, String> environment;

  @Mixin ConfigFileOption configFile;
  private final Backends backends;

  SubmitCommand(Map<String, String> environment, Backends backends) {
    this.environment = environment;
    this.backends = backends;
  }

  @Override
  public Integer call() throws InterruptedException {
    List<String> problems = new ArrayList<>();
    if (targetPassword.onCommandLine()) {
      problems.add(TargetPassword.REFUSED);
    }
    TargetUrl targetUrl = null;
    try {
      targetUrl = TargetUrl.parse(target);
    } catch (IllegalArgumentException e) {
      problems.add(e.getMessage());
    }
    MigrationRequest request = null;
    if (targetUrl != null) {
      request =
          new MigrationRequest(
              requestId == null ? UUID.randomUUID().toString() : requestId,
              instance,
              databases,
              new TargetServer(
                  targetUrl.host(), targetUrl.port(), targetUrl.user(), password(), sslmode),
              new MigrationOptions(jobs, maxAttempts, keepSourceLocked, verify));
      problems.addAll(request.problems());
    }
    if (!problems.isEmpty()) {
      return CommandOutput.refuse(spec, problems, "nothing was published");
    }
    ClientSettings settings = client();
    backends.requestPublisher(settings).publish(Envelope.ofRequest(request));
    return waitForEnd ? follow(settings, request) : printIds(request);
  }

  private int printIds(MigrationRequest request) {
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      Map<String, String> ids = new LinkedHashMap<>();
      ids.put("migrationId", request.migrationId().toString());
      ids.put("requestId", request.requestId());
      try {
        out.println(new ObjectMapper().writeValueAsString(ids));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot write two strings as JSON", e);
      }
    } else {
      out.println(request.migrationId());
    }
    out.flush();
    return ExitCodes.OK;
  }

  private int follow(ClientSettings settings, MigrationRequest request)
      throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!json) {
      out.println(request.migrationId());
      out.flush();
    }
    err.println(
        "request "
            + request.requestId()
            + " submitted as migration "
            + request.migrationId()
            + "; following it (Ctrl-C stops following, not the migration)");
    err.flush();
    ProgressView view = new ProgressView(err, backends.interactiveTerminal());
    MigrationFollower.Outcome outcome =
        new MigrationFollower(
                backends.coordinator(settings), backends.timings(), settings.topology())
            .follow(request.migrationId(), view);
    if (json) {
      CommandOutput.printJson(spec, outcome.json());
    } else {
      out.println();
      out.print(StatusText.migration(outcome.status()));
      out.flush();
    }
    return outcome.status().exitCode();
  }

  /** From --target-password-file, else the environment; null when neither gives one. */
  private Secret password() {
    return targetPassword.read(environment);
  }

  private ClientSettings client() {
    ConfigLoader loader = new ConfigLoader(environment);
    return loader.client(configFile.read(loader));
  }
}
