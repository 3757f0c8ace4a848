package io.pgshuttle.client;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * What {@link PgShuttleClient#subscribe} subscribes to. Immutable.
 *
 * @param queue the name of the control plane's own durable queue; subscribing again with the same
 *     name later gets every event published meanwhile. 1 to 255 bytes, not starting with {@code
 *     amq.}; not null
 * @param routingPattern the binding pattern on the topic exchange {@code <namespace>.events}, whose
 *     routing keys are {@code <instance>.<migrationId>.<type>}: {@code #} for every event, {@code
 *     vm-0001.#} for one instance, {@code *.*.MigrationSucceeded} for one type; not null
 * @param handler takes each event; not null
 * @param errors told about messages the handler did not take; not null
 * @param prefetch unacked messages the broker hands the handler's thread ahead, 1 to 1000
 */
public record SubscriptionSpec(
    String queue,
    String routingPattern,
    EventHandler handler,
    SubscriptionErrorHandler errors,
    int prefetch) {

  /** The prefetch of {@link #of}. */
  public static final int DEFAULT_PREFETCH = 50;

  public SubscriptionSpec {
    Objects.requireNonNull(queue, "queue");
    Objects.requireNonNull(routingPattern, "routingPattern");
    Objects.requireNonNull(handler, "handler");
    Objects.requireNonNull(errors, "errors");
    int bytes = queue.getBytes(StandardCharsets.UTF_8).length;
    if (bytes < 1 || bytes > 255 || queue.startsWith("amq.")) {
      throw new IllegalArgumentException(
          "queue '"
              + queue
              + "' cannot be used: name a queue of 1 to 255 bytes that does not start with 'amq.'");
    }
    if (routingPattern.isEmpty()) {
      throw new IllegalArgumentException(
          "routingPattern is empty: use '#' for every event or e.g. 'vm-0001.#' for one instance");
    }
    if (prefetch < 1 || prefetch > 1000) {
      throw new IllegalArgumentException("prefetch must be 1 to 1000, not " + prefetch);
    }
  }

  /** A subscription with the default prefetch. */
  public static SubscriptionSpec of(
      String queue, String routingPattern, EventHandler handler, SubscriptionErrorHandler errors) {
    return new SubscriptionSpec(queue, routingPattern, handler, errors, DEFAULT_PREFETCH);
  }
}
