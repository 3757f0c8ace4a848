package io.pgshuttle.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgshuttle.amqp.BrokerObjects;
import io.pgshuttle.messages.Topology;
import java.util.Map;
import java.util.TreeMap;

/**
 * RabbitMQ definitions (the JSON of {@code rabbitmqctl import_definitions} and of the management
 * API's {@code /api/definitions}) of the shared objects of a {@link Topology}: what the coordinator
 * declares, from the same {@link BrokerObjects}. {@code deploy/broker/definitions.json} is the
 * production namespace's. pgshuttle sets no policies: the queues' behaviour is in their arguments.
 * Stateless.
 */
final class BrokerDefinitions {
  private static final ObjectMapper JSON = new ObjectMapper();

  private BrokerDefinitions() {}

  /** The definitions of {@code topology}'s shared objects in {@code vhost}. */
  static ObjectNode of(Topology topology, String vhost) {
    BrokerObjects objects = BrokerObjects.coordinator(topology);
    ObjectNode root = JSON.createObjectNode();
    root.putArray("vhosts").addObject().put("name", vhost);
    ArrayNode exchanges = root.putArray("exchanges");
    for (BrokerObjects.Exchange exchange : objects.exchanges()) {
      exchanges
          .addObject()
          .put("name", exchange.name())
          .put("vhost", vhost)
          .put("type", exchange.type())
          .put("durable", true)
          .put("auto_delete", false)
          .put("internal", false)
          .putObject("arguments");
    }
    ArrayNode queues = root.putArray("queues");
    for (BrokerObjects.Queue queue : objects.queues()) {
      queues.add(queue(queue).put("name", queue.name()).put("vhost", vhost));
    }
    ArrayNode bindings = root.putArray("bindings");
    for (BrokerObjects.Binding binding : objects.bindings()) {
      bindings.add(binding(binding).put("vhost", vhost));
    }
    root.putArray("policies");
    return root;
  }

  /** A queue's body for the management API: durable, not auto-deleted, with its arguments. */
  static ObjectNode queue(BrokerObjects.Queue queue) {
    ObjectNode node = JSON.createObjectNode().put("durable", true).put("auto_delete", false);
    node.set("arguments", JSON.valueToTree(sorted(queue.arguments())));
    return node;
  }

  /** A binding's body for the management API and definitions. */
  static ObjectNode binding(BrokerObjects.Binding binding) {
    ObjectNode node =
        JSON.createObjectNode()
            .put("source", binding.exchange())
            .put("destination", binding.queue())
            .put("destination_type", "queue")
            .put("routing_key", binding.routingKey());
    node.putObject("arguments");
    return node;
  }

  private static Map<String, Object> sorted(Map<String, Object> arguments) {
    return new TreeMap<>(arguments);
  }
}
