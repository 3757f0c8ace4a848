package io.pgshuttle.coordinator.http;

import io.pgshuttle.coordinator.broker.Broker;
import io.pgshuttle.coordinator.store.Database;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Whether the coordinator can work: its store answers, its broker connections are up, and each of
 * its queues is consumed. Thread-safe.
 */
public final class HealthCheck {
  private final Database database;
  private final Broker broker;

  @Inject
  public HealthCheck(Database database, Broker broker) {
    this.database = database;
    this.broker = broker;
  }

  /** What is wrong, in a sentence; empty when healthy. Takes up to a few seconds. */
  public Optional<String> problem() {
    List<String> problems = new ArrayList<>();
    database.problem().ifPresent(problems::add);
    broker.problem().ifPresent(problems::add);
    return problems.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", problems));
  }
}
