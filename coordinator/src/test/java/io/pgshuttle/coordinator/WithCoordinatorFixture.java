package io.pgshuttle.coordinator;

import io.pgshuttle.testkit.PostgresCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * The life cycle the coordinator's ITs share: one store cluster per test class, and a fresh {@link
 * CoordinatorFixture} (broker namespace, store schema) per test, closed after it. A subclass that
 * needs the coordinator running starts it in its own {@code @BeforeEach}, which JUnit runs after
 * this one.
 */
abstract class WithCoordinatorFixture {
  static PostgresCluster cluster;
  CoordinatorFixture fixture;

  @BeforeAll
  static void startStore() {
    cluster = PostgresCluster.startTrusting();
  }

  @AfterAll
  static void stopStore() {
    cluster.close();
  }

  @BeforeEach
  void newFixture() throws Exception {
    fixture = new CoordinatorFixture(cluster);
  }

  @AfterEach
  void closeFixture() throws Exception {
    fixture.close();
  }
}
