package io.pgshuttle.messages;

import java.util.Map;
import java.util.Objects;

/**
 * Every name pgshuttle uses on the broker, in one place. All names start with a namespace ({@code
 * pgshuttle} in production), so several installations or test runs can share one broker.
 *
 * <ul>
 *   <li>{@link #requestsQueue()}: quorum queue of {@link MigrationRequest}s; dead letters go
 *       through {@link #requestsDeadLetterExchange()} into {@link #requestsDeadLetterQueue()}.
 *   <li>{@link #commandsExchange()}: direct exchange, routing key = instance id, into {@link
 *       #agentQueue(String)}.
 *   <li>{@link #controlExchange()}: direct exchange, routing key = instance id, into {@link
 *       #agentControlQueue(String)}, so a cancel reaches an agent that is busy.
 *   <li>{@link #eventsExchange()}: topic exchange, routing key {@code
 *       <instance>.<migrationId>.<type>}; the coordinator reads it through {@link
 *       #coordinatorEventsQueue()}, and any subscriber may bind its own queue.
 * </ul>
 */
public record Topology(String namespace) {
  /** The namespace of a production installation. */
  public static final String DEFAULT_NAMESPACE = "pgshuttle";

  /** Header that says why a request was dead-lettered by pgshuttle (not by the broker). */
  public static final String REASON_HEADER = "pgshuttle-reason";

  /**
   * Header with the kind of {@link #REASON_HEADER}, for filtering: {@code malformed}, {@code
   * invalid}, {@code instance_busy} or {@code delivery_limit}.
   */
  public static final String REASON_CODE_HEADER = "pgshuttle-reason-code";

  /**
   * Header of a dead letter and of its replays: the id the coordinator's dead-letter registry knows
   * it by, so a replay that is dead-lettered again updates the same entry.
   */
  public static final String DEAD_LETTER_ID_HEADER = "pgshuttle-dead-letter-id";

  /**
   * Header counting how often a dead letter was replayed. Our own: headers starting with {@code x-}
   * belong to the broker, which counts dead-lettering in {@code x-death}.
   */
  public static final String REPLAYS_HEADER = "pgshuttle-replays";

  /** Header set to true on a dead letter whose password was removed; a replay must supply it. */
  public static final String PASSWORD_REMOVED_HEADER = "pgshuttle-password-removed";

  /**
   * Deliveries of one request before the broker dead-letters it (reason {@code delivery_limit}).
   */
  public static final int REQUEST_DELIVERY_LIMIT = 5;

  public Topology {
    Objects.requireNonNull(namespace, "namespace");
    if (!namespace.matches("[A-Za-z0-9][A-Za-z0-9_-]{0,62}")) {
      throw new IllegalArgumentException(
          "namespace '" + namespace + "' is invalid: use letters, digits, '_' or '-'");
    }
  }

  /** The production topology. */
  public static Topology standard() {
    return new Topology(DEFAULT_NAMESPACE);
  }

  public String requestsQueue() {
    return namespace + ".requests";
  }

  public String requestsDeadLetterExchange() {
    return namespace + ".requests.dlx";
  }

  public String requestsDeadLetterQueue() {
    return namespace + ".requests.dlq";
  }

  public String commandsExchange() {
    return namespace + ".commands";
  }

  public String controlExchange() {
    return namespace + ".control";
  }

  public String eventsExchange() {
    return namespace + ".events";
  }

  public String coordinatorEventsQueue() {
    return namespace + ".coordinator.events";
  }

  /** The queue of StartMigration commands for one agent. */
  public String agentQueue(String instanceId) {
    return namespace + ".agent." + requireInstance(instanceId);
  }

  /** The queue of control commands (cancel) for one agent. */
  public String agentControlQueue(String instanceId) {
    return agentQueue(instanceId) + ".control";
  }

  /** Routing key of an event: {@code <instance>.<migrationId>.<type>}. */
  public String eventRoutingKey(String instanceId, MigrationId migrationId, String type) {
    return requireInstance(instanceId) + "." + migrationId + "." + type;
  }

  /** Binding pattern for every event of one migration. */
  public String eventPatternForMigration(MigrationId migrationId) {
    return "*." + migrationId + ".*";
  }

  /** Queue arguments of the requests queue: quorum, bounded deliveries, dead letters. */
  public Map<String, Object> requestsQueueArguments() {
    return Map.of(
        "x-queue-type",
        "quorum",
        "x-delivery-limit",
        REQUEST_DELIVERY_LIMIT,
        "x-dead-letter-exchange",
        requestsDeadLetterExchange());
  }

  /** Queue arguments of an agent's command queue: quorum, one active consumer at a time. */
  public Map<String, Object> agentQueueArguments() {
    return Map.of("x-queue-type", "quorum", "x-single-active-consumer", true);
  }

  private static String requireInstance(String instanceId) {
    if (!Names.isValidInstanceId(instanceId)) {
      throw new IllegalArgumentException("invalid instance id '" + instanceId + "'");
    }
    return instanceId;
  }
}
