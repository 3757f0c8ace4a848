package io.pgshuttle.coordinator;

import io.pgshuttle.coordinator.dispatch.DispatchLoop;
import io.pgshuttle.coordinator.dispatch.OutboxPublisher;
import io.pgshuttle.coordinator.events.EventConsumer;
import io.pgshuttle.coordinator.http.ApiToken;
import io.pgshuttle.faults.Breakpoints;
import io.pgshuttle.messages.Secret;
import io.pgshuttle.messages.Topology;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * How the coordinator runs. Built by the launcher from YAML and PGSHUTTLE_* environment variables.
 *
 * @param amqpUri PGSHUTTLE_AMQP_URI
 * @param namespace broker namespace, {@code pgshuttle} in production
 * @param storeUrl PGSHUTTLE_STORE_URL: JDBC URL of the status store
 * @param storeUser PGSHUTTLE_STORE_USER, or null when the URL carries it
 * @param storePassword PGSHUTTLE_STORE_PASSWORD, or null
 * @param httpPort PGSHUTTLE_HTTP_PORT; 0 picks a free port
 * @param heartbeatTimeout an attempt whose agent is silent this long is failed (retryable)
 * @param retryInitialBackoff wait before the second attempt; doubles per attempt
 * @param retryMaxBackoff the longest wait between attempts
 * @param sweepInterval how often the agents are asked to sweep the leftovers of ended migrations
 * @param apiTokens PGSHUTTLE_API_TOKENS or coordinator.apiTokens: the bearer tokens the HTTP API
 *     accepts; empty refuses every request but the open paths; null counts as empty
 * @param signingKey PGSHUTTLE_SIGNING_KEY: the coordinator's Ed25519 key pair file, which signs
 *     every command and the coordinator's own events (see {@code pgshuttle keys coordinator})
 * @param eventKeys PGSHUTTLE_EVENT_KEYS: the coordinator's X25519 key pair files with which the
 *     keys of agents' event MACs are agreed; one, or two during a rotation, either accepted; null
 *     counts as empty
 * @param agentKeys PGSHUTTLE_AGENT_KEYS: the directory of the agents' public keys, {@code
 *     <instance>.x25519.pub} (see {@link io.pgshuttle.security.AgentKeyDirectory})
 * @param commandValidity how long after signing an agent accepts a command
 * @param breakpoint PGSHUTTLE_TEST_BREAKPOINT, for fault tests only: one of {@link #BREAKPOINTS},
 *     where the coordinator holds until it is killed; null in production
 */
public record CoordinatorConfig(
    String amqpUri,
    String namespace,
    String storeUrl,
    String storeUser,
    Secret storePassword,
    int httpPort,
    Duration heartbeatTimeout,
    Duration retryInitialBackoff,
    Duration retryMaxBackoff,
    Duration sweepInterval,
    List<ApiToken> apiTokens,
    Path signingKey,
    List<Path> eventKeys,
    Path agentKeys,
    Duration commandValidity,
    String breakpoint) {

  public CoordinatorConfig {
    apiTokens = apiTokens == null ? List.of() : List.copyOf(apiTokens);
    eventKeys = eventKeys == null ? List.of() : List.copyOf(eventKeys);
  }

  /** The breakpoints of a coordinator, for fault tests. */
  public static final List<String> BREAKPOINTS =
      List.of(
          DispatchLoop.BREAKPOINT_ATTEMPT_SCHEDULED,
          OutboxPublisher.BREAKPOINT_COMMAND_CONFIRMED,
          EventConsumer.BREAKPOINT_EVENT_FOLDED);

  public Topology topology() {
    return new Topology(namespace);
  }

  /**
   * The store's URL without its query string or user info, which may carry credentials: for
   * messages a person reads.
   */
  public String storeLocation() {
    if (storeUrl == null) {
      return "(no store URL)";
    }
    int query = storeUrl.indexOf('?');
    String location = query < 0 ? storeUrl : storeUrl.substring(0, query);
    int authority = location.indexOf("://");
    int at = location.lastIndexOf('@');
    return authority >= 0 && at > authority
        ? location.substring(0, authority + 3) + location.substring(at + 1)
        : location;
  }

  /** What is missing or wrong, each naming the setting to fix; empty when usable. */
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (amqpUri == null || amqpUri.isBlank()) {
      problems.add(
          "PGSHUTTLE_AMQP_URI is not set: name the broker, e.g. amqp://guest:guest@localhost:5672/%2f");
    }
    if (namespace == null || !namespace.matches("[A-Za-z0-9][A-Za-z0-9_-]{0,62}")) {
      problems.add(
          "PGSHUTTLE_NAMESPACE (amqp.namespace) '"
              + namespace
              + "' is invalid: use letters, digits, '_' or '-' (pgshuttle in production)");
    }
    if (storeUrl == null || !storeUrl.startsWith("jdbc:postgresql://")) {
      problems.add(
          "PGSHUTTLE_STORE_URL must be a JDBC URL such as jdbc:postgresql://localhost:5432/pgshuttle,"
              + " not '"
              + storeLocation()
              + "'");
    }
    if (httpPort < 0 || httpPort > 65535) {
      problems.add("PGSHUTTLE_HTTP_PORT " + httpPort + " is not a TCP port");
    }
    if (heartbeatTimeout == null || heartbeatTimeout.isNegative() || heartbeatTimeout.isZero()) {
      problems.add("coordinator.heartbeatTimeout must be positive, e.g. PT2M");
    }
    if (retryInitialBackoff == null || retryInitialBackoff.isNegative()) {
      problems.add("coordinator.retryInitialBackoff must be zero or more, e.g. PT5S");
    }
    if (retryMaxBackoff == null || retryMaxBackoff.isNegative()) {
      problems.add("coordinator.retryMaxBackoff must be zero or more, e.g. PT5M");
    }
    if (sweepInterval == null || sweepInterval.isNegative() || sweepInterval.isZero()) {
      problems.add("coordinator.sweepInterval must be positive, e.g. PT1H");
    }
    problems.addAll(apiTokenProblems());
    if (signingKey == null) {
      problems.add(
          "coordinator.signingKey (PGSHUTTLE_SIGNING_KEY) is not set: name the coordinator's key"
              + " pair file, made by `pgshuttle keys coordinator --out DIR`");
    }
    if (eventKeys.isEmpty() || eventKeys.size() > 2) {
      problems.add(
          "coordinator.eventKeys (PGSHUTTLE_EVENT_KEYS) must name one or two of the coordinator's"
              + " X25519 key pair files, made by `pgshuttle keys coordinator --out DIR`"
              + " (coordinator.x25519.key); it names "
              + eventKeys.size());
    }
    if (agentKeys == null) {
      problems.add(
          "coordinator.agentKeys (PGSHUTTLE_AGENT_KEYS) is not set: name the directory of the"
              + " agents' public keys, made by `pgshuttle keys agent --instance ID --out DIR`");
    }
    if (commandValidity == null || commandValidity.isNegative() || commandValidity.isZero()) {
      problems.add("coordinator.commandValidity must be positive, e.g. PT1H");
    }
    String breakpointProblem = Breakpoints.problem(breakpoint, BREAKPOINTS);
    if (breakpointProblem != null) {
      problems.add(breakpointProblem);
    }
    return problems;
  }

  private List<String> apiTokenProblems() {
    List<String> problems = new ArrayList<>();
    Set<String> names = new HashSet<>();
    Set<String> values = new HashSet<>();
    for (ApiToken token : apiTokens) {
      if (!token.name().matches("[A-Za-z0-9][A-Za-z0-9._@-]{0,62}")) {
        problems.add(
            "API token name '"
                + token.name()
                + "' is invalid (coordinator.apiTokens, PGSHUTTLE_API_TOKENS): use 1 to 63"
                + " letters, digits, '.', '_', '@' or '-'");
      } else if (!names.add(token.name())) {
        problems.add(
            "API token name '"
                + token.name()
                + "' is configured twice (coordinator.apiTokens, PGSHUTTLE_API_TOKENS): give each"
                + " token its own name");
      }
      String value = token.token().reveal();
      if (value.length() < ApiToken.MIN_TOKEN_LENGTH || !value.matches("[\\x21-\\x7E]+")) {
        problems.add(
            "API token '"
                + token.name()
                + "' must be at least "
                + ApiToken.MIN_TOKEN_LENGTH
                + " printable characters without spaces, e.g. from `openssl rand -hex 32`");
      } else if (!values.add(value)) {
        problems.add(
            "API token '"
                + token.name()
                + "' has the same value as another token: give each token its own value");
      }
    }
    return problems;
  }
}
