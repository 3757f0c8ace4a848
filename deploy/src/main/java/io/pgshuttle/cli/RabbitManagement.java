package io.pgshuttle.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgshuttle.amqp.BrokerGrants;
import io.pgshuttle.amqp.BrokerObjects;
import io.pgshuttle.messages.Secret;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * The RabbitMQ management HTTP API ({@code rabbitmq_management} plugin), as far as {@code pgshuttle
 * broker} needs it: virtual hosts, definitions, users, permissions, queues and bindings. Every call
 * is idempotent (a PUT of the same thing again changes nothing). Passwords travel only in request
 * bodies and are never part of a message. Thread-safe.
 */
final class RabbitManagement {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final URI baseUrl;
  private final String authorization;
  private final ObjectMapper json = new ObjectMapper();

  /**
   * @param baseUrl the management listener, such as {@code http://127.0.0.1:15672}
   * @param adminUser a user tagged {@code administrator}
   */
  RabbitManagement(URI baseUrl, String adminUser, Secret adminPassword) {
    this.baseUrl = baseUrl;
    this.authorization =
        "Basic "
            + Base64.getEncoder()
                .encodeToString(
                    (adminUser + ":" + adminPassword.reveal()).getBytes(StandardCharsets.UTF_8));
  }

  void putVhost(String vhost) {
    put("/api/vhosts/" + segment(vhost), json.createObjectNode());
  }

  /** Creates what {@code definitions} holds in {@code vhost}; what exists already stays. */
  void importDefinitions(String vhost, JsonNode definitions) {
    send("POST", "/api/definitions/" + segment(vhost), definitions);
  }

  /**
   * Creates {@code user}, or sets its password if it exists; it gets no tags.
   *
   * @param password null for none: the user then logs in only with a client certificate
   */
  void putUser(String user, Secret password) {
    ObjectNode body = json.createObjectNode().put("tags", "");
    if (password == null) {
      body.put("password_hash", "");
    } else {
      body.put("password", password.reveal());
    }
    put("/api/users/" + segment(user), body);
  }

  /** Sets {@code grant}'s permissions and, when it has one, its topic permission. */
  void grant(String vhost, BrokerGrants.Grant grant, String eventsExchange) {
    put(
        "/api/permissions/" + segment(vhost) + "/" + segment(grant.user()),
        json.createObjectNode()
            .put("configure", grant.configure())
            .put("write", grant.write())
            .put("read", grant.read()));
    if (grant.eventsWrite() != null) {
      put(
          "/api/topic-permissions/" + segment(vhost) + "/" + segment(grant.user()),
          json.createObjectNode()
              .put("exchange", eventsExchange)
              .put("write", grant.eventsWrite())
              .put("read", ".*"));
    }
  }

  /** Declares {@code objects}' queues and bindings (their exchanges must exist). */
  void declareQueues(String vhost, BrokerObjects objects) {
    for (BrokerObjects.Queue queue : objects.queues()) {
      put(
          "/api/queues/" + segment(vhost) + "/" + segment(queue.name()),
          BrokerDefinitions.queue(queue));
    }
    for (BrokerObjects.Binding binding : objects.bindings()) {
      ObjectNode body = json.createObjectNode().put("routing_key", binding.routingKey());
      body.putObject("arguments");
      send(
          "POST",
          "/api/bindings/"
              + segment(vhost)
              + "/e/"
              + segment(binding.exchange())
              + "/q/"
              + segment(binding.queue()),
          body);
    }
  }

  private void put(String path, JsonNode body) {
    send("PUT", path, body);
  }

  private void send(String method, String path, JsonNode body) {
    String jsonBody;
    try {
      jsonBody = json.writeValueAsString(body);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write a request body as JSON", e);
    }
    PlainHttp.Answer response;
    try {
      response = PlainHttp.send(baseUrl.resolve(path), method, authorization, jsonBody, TIMEOUT);
    } catch (IOException e) {
      throw CliException.unreachable(
          "cannot reach the RabbitMQ management API at "
              + baseUrl
              + " ("
              + e
              + "): check --management-url and that the node runs the rabbitmq_management"
              + " plugin",
          e);
    }
    int status = response.status();
    if (status >= 300) {
      boolean denied = status == 401 || status == 403;
      throw CliException.badInput(
          "the RabbitMQ management API refused "
              + method
              + " "
              + path
              + " ("
              + status
              + ")"
              + (denied
                  ? ": set PGSHUTTLE_BROKER_ADMIN_USER and PGSHUTTLE_BROKER_ADMIN_PASSWORD to a"
                      + " user tagged administrator"
                  // The body of a refused PUT of a user might echo its password.
                  : path.startsWith("/api/users/") ? "" : ": " + response.body()));
    }
  }

  /** One path segment: the management API takes {@code /} in a name as {@code %2F}. */
  private static String segment(String name) {
    return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
