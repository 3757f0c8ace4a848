package io.pgshuttle.cli.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.pgshuttle.agent.AgentConfig;
import io.pgshuttle.amqp.AmqpConnector;
import io.pgshuttle.coordinator.CoordinatorConfig;
import io.pgshuttle.coordinator.http.ApiToken;
import io.pgshuttle.coordinator.http.Scope;
import io.pgshuttle.faults.Breakpoints;
import io.pgshuttle.messages.Names;
import io.pgshuttle.messages.Secret;
import io.pgshuttle.messages.Topology;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Builds the daemons' and the client's configuration from a YAML file, {@code PGSHUTTLE_*}
 * environment variables (which win over the file) and defaults. Pure: it reads no file and no
 * process environment itself; both are handed in. Thread-safe.
 */
public final class ConfigLoader {
  public static final String DEFAULT_AMQP_URI = "amqp://guest:guest@localhost:5672/%2f";
  public static final int DEFAULT_HTTP_PORT = 8080;
  public static final String DEFAULT_COORDINATOR_URL = "http://127.0.0.1:" + DEFAULT_HTTP_PORT;
  public static final String API_TOKENS_VARIABLE = "PGSHUTTLE_API_TOKENS";
  public static final String API_TOKEN_VARIABLE = "PGSHUTTLE_API_TOKEN";
  public static final String DEFAULT_PG_BINDIR = "/usr/lib/postgresql/15/bin";
  public static final String DEFAULT_IAAS = "local";
  public static final int DEFAULT_DISK_SIZE_GIB = 10;
  public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(5);
  public static final Duration DEFAULT_PROGRESS_INTERVAL = Duration.ofSeconds(1);
  public static final Duration DEFAULT_AGENT_SWEEP_INTERVAL = Duration.ofMinutes(15);
  public static final Duration DEFAULT_COORDINATOR_SWEEP_INTERVAL = Duration.ofHours(1);
  public static final Duration DEFAULT_COMMAND_VALIDITY = Duration.ofHours(1);
  public static final Duration DEFAULT_HEARTBEAT_TIMEOUT = Duration.ofMinutes(2);
  public static final Duration DEFAULT_RETRY_INITIAL_BACKOFF = Duration.ofSeconds(5);
  public static final Duration DEFAULT_RETRY_MAX_BACKOFF = Duration.ofMinutes(5);

  private static final String LOCAL_ROOT_SETTING = "root";

  private final Map<String, String> environment;
  private final ObjectMapper yaml;

  /**
   * @param environment the process environment (or a test's map); blank values count as unset
   */
  public ConfigLoader(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
    this.yaml =
        YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .addModule(new SimpleModule().addDeserializer(Duration.class, new DurationReader()))
            .build();
  }

  /**
   * Reads a configuration file's text.
   *
   * @param source the file's name, for error messages
   * @throws ConfigException naming the file and the key that is unknown or has a bad value
   */
  public ConfigFile parse(String text, String source) {
    try {
      JsonNode root = yaml.readTree(text);
      if (root == null || root.isMissingNode() || root.isNull()) {
        return ConfigFile.empty();
      }
      if (!root.isObject()) {
        throw new ConfigException(
            source + " must hold a mapping with the sections amqp, coordinator and agent");
      }
      return yaml.treeToValue(root, ConfigFile.class);
    } catch (UnrecognizedPropertyException e) {
      throw new ConfigException(
          "unknown key '"
              + path(e)
              + "' in "
              + source
              + ": known keys there are "
              + new TreeSet<>(
                  e.getKnownPropertyIds().stream()
                      .map(Object::toString)
                      .collect(Collectors.toSet())));
    } catch (JsonMappingException e) {
      throw new ConfigException(
          "invalid value for '" + path(e) + "' in " + source + ": " + describe(e), e);
    } catch (JsonProcessingException e) {
      throw new ConfigException("cannot read " + source + " as YAML: " + e.getOriginalMessage(), e);
    }
  }

  /** The coordinator's configuration from {@code file}, the environment and the defaults. */
  public Validated<CoordinatorConfig> coordinator(ConfigFile file) {
    CoordinatorSection section =
        file.coordinator() == null
            ? new CoordinatorSection(
                null, null, null, null, null, null, null, null, null, null, null, null, null)
            : file.coordinator();
    List<String> tokenProblems = new ArrayList<>();
    List<ApiToken> apiTokens = apiTokens(section.apiTokens(), tokenProblems);
    CoordinatorConfig config =
        new CoordinatorConfig(
            amqpUri(file),
            namespace(file),
            pick("PGSHUTTLE_STORE_URL", section.storeUrl(), null),
            pick("PGSHUTTLE_STORE_USER", section.storeUser(), null),
            secret("PGSHUTTLE_STORE_PASSWORD", section.storePassword()),
            pickInt("PGSHUTTLE_HTTP_PORT", section.httpPort(), DEFAULT_HTTP_PORT),
            orDefault(section.heartbeatTimeout(), DEFAULT_HEARTBEAT_TIMEOUT),
            orDefault(section.retryInitialBackoff(), DEFAULT_RETRY_INITIAL_BACKOFF),
            orDefault(section.retryMaxBackoff(), DEFAULT_RETRY_MAX_BACKOFF),
            orDefault(section.sweepInterval(), DEFAULT_COORDINATOR_SWEEP_INTERVAL),
            apiTokens,
            path(pick("PGSHUTTLE_SIGNING_KEY", section.signingKey(), null)),
            paths("PGSHUTTLE_EVENT_KEYS", section.eventKeys()),
            path(pick("PGSHUTTLE_AGENT_KEYS", section.agentKeys(), null)),
            orDefault(section.commandValidity(), DEFAULT_COMMAND_VALIDITY),
            pick(Breakpoints.VARIABLE, null, null));
    List<String> problems = new ArrayList<>(config.problems());
    problems.addAll(tokenProblems);
    if (config.retryInitialBackoff() != null
        && config.retryMaxBackoff() != null
        && config.retryMaxBackoff().compareTo(config.retryInitialBackoff()) < 0) {
      problems.add(
          "coordinator.retryMaxBackoff "
              + config.retryMaxBackoff()
              + " is shorter than coordinator.retryInitialBackoff "
              + config.retryInitialBackoff());
    }
    return new Validated<>(config, problems);
  }

  /**
   * The API tokens: {@value #API_TOKENS_VARIABLE} ({@code NAME:SCOPE:TOKEN}, comma-separated) when
   * set, else the file's {@code coordinator.apiTokens}. Entries that cannot be read are left out
   * and added to {@code problems}, which never show a token.
   */
  private List<ApiToken> apiTokens(List<ApiTokenSection> fromFile, List<String> problems) {
    String fromEnvironment = environment.get(API_TOKENS_VARIABLE);
    List<ApiToken> tokens = new ArrayList<>();
    if (fromEnvironment != null && !fromEnvironment.isBlank()) {
      String[] entries = fromEnvironment.split(",");
      for (int i = 0; i < entries.length; i++) {
        String[] parts = entries[i].strip().split(":", 3);
        if (parts.length != 3) {
          problems.add(
              API_TOKENS_VARIABLE
                  + " entry "
                  + (i + 1)
                  + " is not NAME:SCOPE:TOKEN (scope read or operate), e.g. ops:operate:$(openssl"
                  + " rand -hex 32)");
          continue;
        }
        apiToken(parts[0], parts[1], Secret.of(parts[2]), API_TOKENS_VARIABLE, problems)
            .ifPresent(tokens::add);
      }
      return tokens;
    }
    if (fromFile == null) {
      return tokens;
    }
    for (int i = 0; i < fromFile.size(); i++) {
      ApiTokenSection entry = fromFile.get(i);
      String where = "coordinator.apiTokens[" + i + "]";
      if (entry == null || entry.name() == null || entry.scope() == null || entry.token() == null) {
        problems.add(where + " needs name, scope (read or operate) and token");
        continue;
      }
      apiToken(entry.name(), entry.scope(), entry.token(), where, problems).ifPresent(tokens::add);
    }
    return tokens;
  }

  private static Optional<ApiToken> apiToken(
      String name, String scope, Secret token, String where, List<String> problems) {
    Optional<Scope> parsed = Scope.parse(scope.strip());
    if (parsed.isEmpty()) {
      problems.add(
          where
              + ": scope '"
              + scope.strip()
              + "' of token '"
              + name.strip()
              + "' is unknown: use"
              + " read or operate");
      return Optional.empty();
    }
    return Optional.of(new ApiToken(name.strip(), parsed.get(), token));
  }

  /** The agent's configuration from {@code file}, the environment and the defaults. */
  public Validated<AgentConfig> agent(ConfigFile file) {
    AgentSection section =
        file.agent() == null
            ? new AgentSection(
                null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null)
            : file.agent();
    String iaas = pick("PGSHUTTLE_IAAS", section.iaas(), DEFAULT_IAAS);
    String localDiskRoot = pick("PGSHUTTLE_LOCAL_DISK_ROOT", section.localDiskRoot(), null);
    Map<String, String> iaasSettings =
        new java.util.TreeMap<>(section.iaasSettings() == null ? Map.of() : section.iaasSettings());
    if (DEFAULT_IAAS.equals(iaas) && localDiskRoot != null) {
      iaasSettings.put(LOCAL_ROOT_SETTING, localDiskRoot);
    }
    AgentConfig config =
        new AgentConfig(
            amqpUri(file),
            namespace(file),
            pick("PGSHUTTLE_INSTANCE", section.instance(), null),
            pick("PGSHUTTLE_SOURCE_URL", section.sourceUrl(), null),
            secret("PGSHUTTLE_SOURCE_PASSWORD", section.sourcePassword()),
            path(pick("PGSHUTTLE_PG_BINDIR", section.pgBindir(), DEFAULT_PG_BINDIR)),
            iaas,
            iaasSettings,
            path(pick("PGSHUTTLE_STATE_DIR", section.stateDir(), null)),
            path(pick("PGSHUTTLE_DEVICE_ROOT", section.deviceRoot(), null)),
            orDefault(section.diskSizeGiB(), DEFAULT_DISK_SIZE_GIB),
            orDefault(section.heartbeatInterval(), DEFAULT_HEARTBEAT_INTERVAL),
            orDefault(section.progressInterval(), DEFAULT_PROGRESS_INTERVAL),
            pickDuration(
                "PGSHUTTLE_SWEEP_INTERVAL", section.sweepInterval(), DEFAULT_AGENT_SWEEP_INTERVAL),
            path(pick("PGSHUTTLE_SEALING_KEY", section.sealingKey(), null)),
            paths("PGSHUTTLE_COORDINATOR_KEYS", section.coordinatorKeys()),
            path(pick("PGSHUTTLE_COORDINATOR_EVENT_KEY", section.coordinatorEventKey(), null)),
            path(pick("PGSHUTTLE_TARGET_SSLROOTCERT", section.targetSslRootCert(), null)),
            pick(Breakpoints.VARIABLE, null, null));
    List<String> problems = new ArrayList<>(namespaceProblems(config.namespace()));
    problems.addAll(config.problems());
    if (DEFAULT_IAAS.equals(iaas) && localDiskRoot == null) {
      problems.add(
          "PGSHUTTLE_LOCAL_DISK_ROOT is not set: the local disk provider needs a directory to"
              + " make its disks in (agent.localDiskRoot)");
    }
    if (config.heartbeatInterval().isNegative() || config.heartbeatInterval().isZero()) {
      problems.add("agent.heartbeatInterval must be positive, e.g. 5s");
    }
    if (config.progressInterval().isNegative()) {
      problems.add("agent.progressInterval must be zero or more, e.g. 1s");
    }
    return new Validated<>(config, problems);
  }

  /**
   * What the client commands ({@code submit}, {@code status}, {@code list}, {@code watch}, {@code
   * cancel}, {@code gc}) need, from the {@code amqp} and {@code client} sections of {@code file},
   * the environment and the defaults.
   *
   * @throws ConfigException if the namespace or the coordinator URL is unusable
   */
  public ClientSettings client(ConfigFile file) {
    String namespace = namespace(file);
    List<String> problems = namespaceProblems(namespace);
    if (!problems.isEmpty()) {
      throw new ConfigException(problems.get(0));
    }
    ClientSection section = file.client() == null ? new ClientSection(null, null) : file.client();
    String url =
        pick("PGSHUTTLE_COORDINATOR_URL", section.coordinatorUrl(), DEFAULT_COORDINATOR_URL);
    return new ClientSettings(
        amqpUri(file),
        namespace,
        coordinatorUrl(url),
        secret(API_TOKEN_VARIABLE, section.apiToken()));
  }

  private static URI coordinatorUrl(String text) {
    String trimmed = text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
    try {
      URI uri = new URI(trimmed);
      if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          && uri.getHost() != null) {
        return uri;
      }
    } catch (URISyntaxException e) {
      // Reported below with the fix.
    }
    throw new ConfigException(
        "PGSHUTTLE_COORDINATOR_URL '"
            + text
            + "' is not an http(s) URL: write it as http://HOST:PORT, e.g. "
            + DEFAULT_COORDINATOR_URL);
  }

  /** The broker URI, with the TLS settings as its query parameters. */
  private String amqpUri(ConfigFile file) {
    AmqpSection section =
        file.amqp() == null ? new AmqpSection(null, null, null, null, null, null) : file.amqp();
    StringBuilder uri =
        new StringBuilder(pick("PGSHUTTLE_AMQP_URI", section.uri(), DEFAULT_AMQP_URI));
    Map<String, String> tls = new java.util.LinkedHashMap<>();
    tls.put(AmqpConnector.CA_FILE, pick("PGSHUTTLE_AMQP_CA_FILE", section.caFile(), null));
    tls.put(AmqpConnector.CERT_FILE, pick("PGSHUTTLE_AMQP_CERT_FILE", section.certFile(), null));
    tls.put(AmqpConnector.KEY_FILE, pick("PGSHUTTLE_AMQP_KEY_FILE", section.keyFile(), null));
    tls.put(
        AmqpConnector.AUTH_MECHANISM,
        pick("PGSHUTTLE_AMQP_AUTH_MECHANISM", section.authMechanism(), null));
    for (Map.Entry<String, String> setting : tls.entrySet()) {
      if (setting.getValue() != null) {
        uri.append(uri.indexOf("?") < 0 ? '?' : '&')
            .append(setting.getKey())
            .append('=')
            .append(URLEncoder.encode(setting.getValue(), StandardCharsets.UTF_8));
      }
    }
    return uri.toString();
  }

  private String namespace(ConfigFile file) {
    return pick(
        "PGSHUTTLE_NAMESPACE",
        file.amqp() == null ? null : file.amqp().namespace(),
        Topology.DEFAULT_NAMESPACE);
  }

  private static List<String> namespaceProblems(String namespace) {
    return Names.isValidInstanceId(namespace)
        ? List.of()
        : List.of(
            "PGSHUTTLE_NAMESPACE '"
                + namespace
                + "' is invalid: use 1 to 63 letters, digits, '_' or '-', starting with a letter or"
                + " digit (amqp.namespace)");
  }

  private String pick(String variable, String fromFile, String fallback) {
    String fromEnvironment = environment.get(variable);
    if (fromEnvironment != null && !fromEnvironment.isBlank()) {
      return fromEnvironment.trim();
    }
    return fromFile != null && !fromFile.isBlank() ? fromFile.trim() : fallback;
  }

  private Secret secret(String variable, Secret fromFile) {
    String fromEnvironment = environment.get(variable);
    if (fromEnvironment != null && !fromEnvironment.isEmpty()) {
      return Secret.of(fromEnvironment);
    }
    return fromFile;
  }

  private int pickInt(String variable, Integer fromFile, int fallback) {
    String fromEnvironment = environment.get(variable);
    if (fromEnvironment == null || fromEnvironment.isBlank()) {
      return fromFile == null ? fallback : fromFile;
    }
    try {
      return Integer.parseInt(fromEnvironment.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(
          variable + " '" + fromEnvironment + "' is not a whole number, e.g. " + fallback);
    }
  }

  private Duration pickDuration(String variable, Duration fromFile, Duration fallback) {
    String fromEnvironment = environment.get(variable);
    if (fromEnvironment == null || fromEnvironment.isBlank()) {
      return fromFile == null ? fallback : fromFile;
    }
    try {
      return Durations.parse(fromEnvironment);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(variable + " " + e.getMessage());
    }
  }

  /** A comma-separated list from the environment, or the file's list. */
  private List<Path> paths(String variable, List<String> fromFile) {
    String fromEnvironment = environment.get(variable);
    List<String> texts =
        fromEnvironment != null && !fromEnvironment.isBlank()
            ? List.of(fromEnvironment.split(","))
            : fromFile == null ? List.of() : fromFile;
    return texts.stream().map(String::trim).filter(text -> !text.isEmpty()).map(Path::of).toList();
  }

  private static <T> T orDefault(T value, T fallback) {
    return value == null ? fallback : value;
  }

  private static Path path(String text) {
    return text == null ? null : Path.of(text);
  }

  private static String path(JsonMappingException e) {
    return e.getPath().stream()
        .map(
            reference ->
                reference.getFieldName() != null
                    ? reference.getFieldName()
                    : "[" + reference.getIndex() + "]")
        .collect(Collectors.joining("."));
  }

  private static String describe(JsonMappingException e) {
    Throwable cause = e.getCause();
    if (cause instanceof IllegalArgumentException) {
      return cause.getMessage();
    }
    String message = Objects.requireNonNullElse(e.getOriginalMessage(), e.toString());
    // Jackson's first line names the Java type and the value; the rest is its source location.
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  /** YAML durations: {@code 30s}, {@code 5m}, ISO-8601 {@code PT30S}; bare numbers are refused. */
  private static final class DurationReader extends JsonDeserializer<Duration> {
    @Override
    public Duration deserialize(JsonParser parser, DeserializationContext context)
        throws IOException {
      if (!parser.currentToken().isScalarValue() || parser.currentToken().isNumeric()) {
        var unitless =
            new IllegalArgumentException("write a duration with its unit, e.g. 30s, 5m or PT30S");
        throw JsonMappingException.from(parser, unitless.getMessage(), unitless);
      }
      String text = parser.getValueAsString();
      try {
        return Durations.parse(text);
      } catch (IllegalArgumentException e) {
        throw JsonMappingException.from(parser, e.getMessage(), e);
      }
    }
  }
}
