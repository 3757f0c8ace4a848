package io.pgshuttle.amqp;

import io.pgshuttle.messages.Names;
import io.pgshuttle.messages.Topology;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The broker users of an installation and what each may do in its virtual host, least privilege
 * first: an agent reads only its own two queues and publishes only events whose routing key starts
 * with its own instance id; the coordinator works only the shared names; a control plane publishes
 * requests and reads events through queues of its own. Values; thread-safe.
 *
 * <p>Agents' users are named {@code agent-<instance>} ({@link #agentUser(String)}): the coordinator
 * takes an event for an instance only when its {@code user-id}, which the broker checks against the
 * connection's user, is that name.
 */
public final class BrokerGrants {
  /** The coordinator's broker user. */
  public static final String COORDINATOR_USER = "pgshuttle-coordinator";

  /** The broker user of control planes and of the {@code pgshuttle} client commands. */
  public static final String CONTROL_PLANE_USER = "pgshuttle-control-plane";

  private static final String AGENT_USER_PREFIX = "agent-";

  /** Matches no name: the permission is not granted. */
  private static final String NOTHING = "^$";

  /** Names of the queues the broker names itself, as {@code queue.declare("")} gets. */
  private static final String SERVER_NAMED = "amq\\.gen-.*";

  private BrokerGrants() {}

  /**
   * One user's permissions in the virtual host: three regular expressions over exchange and queue
   * names, and, when {@code eventsWrite} is not null, the routing keys it may publish with on the
   * events exchange (a topic permission); null means any.
   */
  public record Grant(
      String user, String configure, String write, String read, String eventsWrite) {}

  /** The broker user of the agent of {@code instanceId}. */
  public static String agentUser(String instanceId) {
    if (!Names.isValidInstanceId(instanceId)) {
      throw new IllegalArgumentException("invalid instance id '" + instanceId + "'");
    }
    return AGENT_USER_PREFIX + instanceId;
  }

  /**
   * Whether an event for {@code instanceId} whose AMQP {@code user-id} is {@code userId} comes from
   * a publisher the coordinator trusts: that instance's agent ({@link #agentUser(String)}), or the
   * coordinator's own broker user (the events it emits itself come back to it; where every process
   * shares one user, as with {@code guest} in development, that user is trusted for all). The
   * broker refuses a message whose user-id is not its connection's user, so the user-id cannot be
   * forged.
   *
   * @param userId the delivery's user-id, null when the publisher set none (never trusted unless
   *     the coordinator's own user is null too, which it never is)
   */
  public static boolean isTrustedEventPublisher(
      String userId, String instanceId, String coordinatorUser) {
    if (userId == null) {
      return false;
    }
    return userId.equals(coordinatorUser)
        || (Names.isValidInstanceId(instanceId) && userId.equals(agentUser(instanceId)));
  }

  /**
   * The agent of {@code instanceId}: configures nothing (its queues are made for it), reads its
   * command and control queues, and writes to the events exchange with routing keys {@code
   * <instance>.*} only.
   */
  public static Grant agent(Topology topology, String instanceId) {
    return new Grant(
        agentUser(instanceId),
        NOTHING,
        exactly(topology.eventsExchange()),
        exactly(topology.agentQueue(instanceId), topology.agentControlQueue(instanceId)),
        "^" + escape(instanceId) + "\\.");
  }

  /**
   * The coordinator: declares the shared topology, consumes requests and events, publishes
   * commands, control messages, its own events and dead letters. It never reads an agent's queue.
   */
  public static Grant coordinator(Topology topology) {
    return new Grant(
        COORDINATOR_USER,
        exactly(sharedNames(topology)),
        exactly(
            topology.commandsExchange(),
            topology.controlExchange(),
            topology.eventsExchange(),
            topology.requestsDeadLetterExchange(),
            topology.requestsDeadLetterQueue(),
            topology.coordinatorEventsQueue()),
        exactly(
            topology.requestsQueue(),
            topology.requestsDeadLetterQueue(),
            topology.requestsDeadLetterExchange(),
            topology.coordinatorEventsQueue(),
            topology.eventsExchange()),
        null);
  }

  /**
   * A control plane: publishes requests (through the default exchange, routing key = the requests
   * queue), and follows events through server-named queues it declares and binds to the events
   * exchange. It cannot publish to the commands, control or events exchanges. The broker checks
   * only the exchange of a publish to the default exchange, not the queue it names: signed
   * commands, not permissions, keep a control plane from writing into an agent's queue.
   */
  public static Grant controlPlane(Topology topology) {
    return new Grant(
        CONTROL_PLANE_USER,
        "^" + SERVER_NAMED + "$",
        "^(amq\\.default|" + SERVER_NAMED + ")$",
        "^(" + escape(topology.eventsExchange()) + "|" + SERVER_NAMED + ")$",
        null);
  }

  /** What the coordinator declares: its exchanges and queues. */
  private static List<String> sharedNames(Topology topology) {
    BrokerObjects objects = BrokerObjects.coordinator(topology);
    return Stream.concat(
            objects.exchanges().stream().map(BrokerObjects.Exchange::name),
            objects.queues().stream().map(BrokerObjects.Queue::name))
        .toList();
  }

  private static String exactly(String... names) {
    return exactly(List.of(names));
  }

  private static String exactly(List<String> names) {
    return names.stream().map(BrokerGrants::escape).collect(Collectors.joining("|", "^(", ")$"));
  }

  /** Names hold letters, digits, '_', '-' and '.': only the dot means something in a regex. */
  private static String escape(String name) {
    return name.replace(".", "\\.");
  }
}
