package io.pgshuttle.client;

import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.MigrationRequest;
import io.pgshuttle.messages.Secret;
import io.pgshuttle.messages.TargetServer;
import java.time.Duration;
import java.util.List;

/**
 * The example of the README's "Java client" section, compiled by the build so that it stays true to
 * the API. Not run: it needs a coordinator and a broker.
 */
final class ReadmeExample {
  private ReadmeExample() {}

  static void controlPlane(String password) throws InterruptedException {
    PgShuttleClient client =
        PgShuttleClient.builder()
            .coordinatorUri("http://coordinator.internal:8080")
            .bearerToken(System.getenv("PGSHUTTLE_TOKEN"))
            .amqpUri(System.getenv("PGSHUTTLE_AMQP_URI"))
            .build();

    // Subscribe first: the durable queue keeps what comes while this process is away.
    try (Subscription events =
        client.subscribe(
            SubscriptionSpec.of(
                "control-plane.pgshuttle-events",
                "#",
                event -> System.out.println(event.migrationId() + " " + event.type()),
                (routingKey, body, cause) -> System.err.println(routingKey + ": " + cause)))) {
      Submission submitted =
          client.submit(
              new MigrationRequest(
                  "order-42",
                  "vm-0001",
                  List.of("orders"),
                  new TargetServer("target.internal", 5432, "migrator", Secret.of(password), null),
                  null));
      MigrationId id = submitted.migration().migrationId();
      System.out.println(client.get(id).orElseThrow().state());

      client
          .listAll(MigrationFilter.all().withState(MigrationState.FAILED))
          .forEach(failed -> System.out.println(failed.migrationId() + ": " + failed.error()));

      // Or follow one migration over HTTP; pass the last position seen to resume later.
      try (EventStream stream = client.streamEvents(EventSelector.migration(id), null)) {
        stream.next(Duration.ofSeconds(30)).ifPresent(e -> System.out.println(e.position()));
      }
    }
  }
}
