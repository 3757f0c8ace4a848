package io.pgshuttle.cli;

import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.MigrationRequest;

/**
 * Hands a migration request to the coordinator's requests queue. Implementations are thread-safe.
 */
public interface RequestPublisher {
  /**
   * Publishes {@code request} and returns once the broker has confirmed that a queue holds it.
   *
   * @throws CliException if the broker cannot be reached or did not take the request
   */
  void publish(Envelope<MigrationRequest> request);
}
