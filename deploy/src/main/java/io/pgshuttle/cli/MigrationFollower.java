package io.pgshuttle.cli;

import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.Topology;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Follows one migration through the coordinator's API until it ends, printing each change. Used by
 * {@code submit --wait} and {@code cancel --wait}. Not thread-safe.
 */
final class MigrationFollower {
  private final CoordinatorApi api;
  private final StatusJson json;
  private final Timings timings;
  private final Topology topology;

  MigrationFollower(CoordinatorApi api, Timings timings, Topology topology) {
    this.api = api;
    this.json = new StatusJson(api.describe());
    this.timings = timings;
    this.topology = topology;
  }

  /** The final status and its JSON as the coordinator wrote it. */
  record Outcome(MigrationStatus status, String json) {}

  /**
   * Asks for the status until the migration is SUCCEEDED, FAILED or CANCELLED: after each event the
   * coordinator stores, and after {@link Timings#pollInterval()} without one.
   *
   * @throws CliException exit code 3 if the coordinator cannot be reached, or does not record the
   *     migration within {@link Timings#appearTimeout()}
   */
  Outcome follow(MigrationId id, ProgressView view) throws InterruptedException {
    // Each event the coordinator stores ends the wait between two status requests, so a change
    // (the end above all) shows at once; the poll stays for a migration that changes without an
    // event, and for a stream the coordinator refuses or drops.
    BlockingQueue<Boolean> eventStored = new ArrayBlockingQueue<>(1);
    CoordinatorApi.EventWatch watch = null;
    try {
      StatusChanges changes = new StatusChanges(view);
      long appearDeadline = System.nanoTime() + timings.appearTimeout().toNanos();
      while (true) {
        Optional<String> body = api.migration(id);
        if (body.isPresent()) {
          MigrationStatus status = json.migration(body.get());
          changes.show(status);
          if (status.terminal()) {
            view.finish();
            return new Outcome(status, body.get());
          }
          if (watch == null) {
            // Not sooner: the coordinator refuses the stream of a migration it has not recorded.
            watch = api.onEachEvent(id, () -> eventStored.offer(Boolean.TRUE));
          }
        } else if (System.nanoTime() > appearDeadline) {
          view.finish();
          throw CliException.unreachable(
              "the coordinator at "
                  + api.describe()
                  + " has not recorded migration "
                  + id
                  + " after "
                  + Formats.duration(timings.appearTimeout())
                  + ": check that it runs with PGSHUTTLE_NAMESPACE="
                  + topology.namespace()
                  + ", and look for the request in the dead-letter queue "
                  + topology.requestsDeadLetterQueue(),
              null);
        }
        eventStored.poll(timings.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
      }
    } finally {
      if (watch != null) {
        watch.close();
      }
    }
  }
}
