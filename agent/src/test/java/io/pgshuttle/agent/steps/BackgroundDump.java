package io.pgshuttle.agent.steps;

import io.pgshuttle.agent.pipeline.Cancellation;
import io.pgshuttle.agent.pipeline.StepException;
import io.pgshuttle.agent.postgres.PgConnector;
import io.pgshuttle.agent.postgres.PgEndpoint;
import io.pgshuttle.agent.postgres.PgTools;
import io.pgshuttle.agent.transfer.Manifest;
import io.pgshuttle.agent.transfer.TableDumper;
import io.pgshuttle.messages.SslMode;
import io.pgshuttle.testkit.PostgresCluster;
import java.util.concurrent.CompletableFuture;

/**
 * What the transfer tests share: a dump running on a thread of its own while the test loads, as
 * DUMP runs beside RESTORE, and the target endpoint of a trusting test cluster.
 */
final class BackgroundDump {
  private BackgroundDump() {}

  /**
   * Starts {@code request}; a failed dump fails the request's handoff, so that the loader waiting
   * on it stops with DUMP's failure.
   */
  static CompletableFuture<Manifest> start(
      PgConnector connector,
      PgTools tools,
      TableDumper.Request request,
      Cancellation cancellation) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return new TableDumper(connector, tools).dump(request, cancellation).manifest();
          } catch (StepException e) {
            request.handoff().failed(e.getMessage());
            throw new IllegalStateException(e);
          }
        });
  }

  /** The superuser of {@code cluster} as the migration's target, without TLS. */
  static PgEndpoint target(PostgresCluster cluster) {
    return new PgEndpoint(
        PgEndpoint.TARGET,
        cluster.host(),
        cluster.port(),
        PostgresCluster.SUPERUSER,
        null,
        SslMode.DISABLE);
  }
}
