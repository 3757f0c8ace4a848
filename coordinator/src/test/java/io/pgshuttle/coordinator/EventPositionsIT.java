package io.pgshuttle.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.pgshuttle.coordinator.store.Database;
import io.pgshuttle.coordinator.store.EventFilter;
import io.pgshuttle.coordinator.store.EventLog;
import io.pgshuttle.coordinator.store.StoredEvent;
import io.pgshuttle.messages.AgentHeartbeat;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.Step;
import io.pgshuttle.testkit.PostgresCluster;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The store-wide positions of events: given at commit, so that they become visible in order and a
 * reader that goes on after the last position it saw misses nothing.
 */
class EventPositionsIT extends WithCoordinatorFixture {
  private static final EventFilter EVERY_EVENT = new EventFilter(null, null, null);

  private final EventLog log = new EventLog();
  private Database database;

  @AfterEach
  void closeDatabase() {
    if (database != null) {
      database.close();
    }
  }

  private Database open() {
    database = fixture.wire(fixture.config()).getInstance(Database.class);
    database.open();
    return database;
  }

  private MigrationId migration(String instance) {
    MigrationId id = MigrationId.forRequest("req-" + instance);
    fixture.cluster.execute(
        fixture.storeDatabase,
        "INSERT INTO pgshuttle.migrations (migration_id, request_id, instance_id, state,"
            + " max_attempts, request) VALUES ('"
            + id
            + "', 'req-"
            + instance
            + "', '"
            + instance
            + "', 'RUNNING', 3, '{}')");
    return id;
  }

  private Envelope<Event> event(MigrationId id, long seq) {
    return Envelope.of("vm", id, 1, seq, new AgentHeartbeat(Step.DUMP));
  }

  private void insert(Connection connection, Envelope<Event> envelope) throws SQLException {
    String json = new String(fixture.codec.encode(envelope), StandardCharsets.UTF_8);
    assertThat(log.insert(connection, envelope, json, true)).isTrue();
  }

  private List<StoredEvent> after(long position) {
    return database.inTransaction(connection -> log.after(connection, EVERY_EVENT, position, 1000));
  }

  private static long seq(StoredEvent event) {
    return Long.parseLong(event.envelopeJson().replaceAll(".*\"seq\":(\\d+).*", "$1"));
  }

  @Test
  void aPositionIsGivenAtCommitSoAnEarlierInsertCommittedLaterIsNotSkipped() throws Exception {
    open();
    MigrationId id = migration("vm-1");
    try (Connection slow = database.connectOutsidePool()) {
      slow.setAutoCommit(false);
      insert(slow, event(id, 1));
      database.inTransaction(
          connection -> {
            insert(connection, event(id, 2));
            return null;
          });

      List<StoredEvent> first = after(0);
      assertThat(first).extracting(EventPositionsIT::seq).containsExactly(2L);

      slow.commit();
      List<StoredEvent> second = after(first.get(0).position());
      assertThat(second).extracting(EventPositionsIT::seq).containsExactly(1L);
      assertThat(second.get(0).position()).isGreaterThan(first.get(0).position());
    }
  }

  @Test
  void aReaderGoingOnFromTheLastPositionItSawGetsEveryEventOnceUnderConcurrentWriters()
      throws Exception {
    open();
    int writers = 4;
    int transactions = 25;
    List<MigrationId> ids = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      ids.add(migration("vm-" + w));
    }
    AtomicBoolean writing = new AtomicBoolean(true);
    ExecutorService threads = Executors.newFixedThreadPool(writers + 1);
    try {
      List<Future<?>> written = new ArrayList<>();
      for (MigrationId id : ids) {
        written.add(
            threads.submit(
                () -> {
                  long seq = 0;
                  for (int t = 0; t < transactions; t++) {
                    int events = 1 + ThreadLocalRandom.current().nextInt(3);
                    long first = seq;
                    database.inTransaction(
                        connection -> {
                          for (long s = first + 1; s <= first + events; s++) {
                            insert(connection, event(id, s));
                          }
                          // Commits in another order than the inserts.
                          try (Statement statement = connection.createStatement()) {
                            statement.execute(
                                "SELECT pg_sleep("
                                    + ThreadLocalRandom.current().nextInt(5) / 1000.0
                                    + ")");
                          }
                          return null;
                        });
                    seq += events;
                  }
                  return null;
                }));
      }
      Future<List<StoredEvent>> read =
          threads.submit(
              () -> {
                List<StoredEvent> seen = new ArrayList<>();
                long last = 0;
                boolean more = true;
                while (more) {
                  // One more read after the writers are done.
                  more = writing.get();
                  List<StoredEvent> page = after(last);
                  seen.addAll(page);
                  if (!page.isEmpty()) {
                    last = page.get(page.size() - 1).position();
                  }
                }
                return seen;
              });
      for (Future<?> writer : written) {
        writer.get();
      }
      writing.set(false);
      List<StoredEvent> seen = read.get();

      List<StoredEvent> stored = after(0);
      assertThat(seen).containsExactlyElementsOf(stored);
      assertThat(seen).extracting(StoredEvent::position).isSorted().doesNotHaveDuplicates();
      Set<String> keys = new HashSet<>();
      seen.forEach(
          event ->
              keys.add(
                  event.envelopeJson().replaceAll(".*\"migrationId\":\"([^\"]+)\".*", "$1")
                      + "/"
                      + seq(event)));
      assertThat(keys).hasSize(seen.size());
      assertThat(fixture.storeValue("SELECT count(*) FROM pgshuttle.events WHERE position IS NULL"))
          .isEqualTo("0");
    } finally {
      threads.shutdownNow();
    }
  }

  /**
   * The fold's way (see {@code EventFolder}): events numbered as they are inserted, under the lock
   * held until the commit, beside writers whose events are numbered at commit; transactions commit
   * after a random pause, so in another order than they started. A reader polling for what came
   * after its last position must see every event once, in position order.
   */
  @Test
  void eventsNumberedAsTheyAreInsertedAndAtCommitAreSeenOnceInOrder() throws Exception {
    open();
    List<MigrationId> ids = List.of(migration("vm-a"), migration("vm-b"), migration("vm-c"));
    ExecutorService writers = Executors.newFixedThreadPool(ids.size());
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < ids.size(); w++) {
        MigrationId id = ids.get(w);
        boolean numbered = w != 0;
        done.add(writers.submit(() -> writeTransactions(id, numbered)));
      }
      List<StoredEvent> seen = new ArrayList<>();
      while (done.stream().anyMatch(writer -> !writer.isDone())) {
        seen.addAll(after(seen.isEmpty() ? 0 : seen.get(seen.size() - 1).position()));
      }
      for (Future<?> writer : done) {
        writer.get();
      }
      seen.addAll(after(seen.isEmpty() ? 0 : seen.get(seen.size() - 1).position()));

      assertThat(seen).containsExactlyElementsOf(after(0));
      assertThat(seen).hasSize(ids.size() * 20 * 3);
      for (MigrationId id : ids) {
        // Each migration's events in the order they were stored.
        assertThat(seen.stream().filter(event -> event.envelopeJson().contains(id.toString())))
            .extracting(EventPositionsIT::seq)
            .isSorted();
      }
    } finally {
      writers.shutdownNow();
    }
  }

  /** 20 transactions of 3 events each, numbered as inserted or at commit. */
  private Void writeTransactions(MigrationId id, boolean numbered) {
    for (long first = 1; first <= 60; first += 3) {
      List<Envelope<Event>> events = new ArrayList<>();
      for (long seq = first; seq < first + 3; seq++) {
        events.add(event(id, seq));
      }
      database.inTransaction(
          connection -> {
            if (numbered) {
              log.appendNumbered(
                  connection,
                  events.stream()
                      .map(
                          envelope ->
                              new EventLog.Insert(
                                  envelope,
                                  new String(
                                      fixture.codec.encode(envelope), StandardCharsets.UTF_8),
                                  true))
                      .toList());
            } else {
              for (Envelope<Event> envelope : events) {
                insert(connection, envelope);
              }
            }
            try (Statement statement = connection.createStatement()) {
              statement.execute(
                  "SELECT pg_sleep(" + ThreadLocalRandom.current().nextInt(5) / 1000.0 + ")");
            }
            return null;
          });
    }
    return null;
  }

  @Test
  void eventsStoredBeforeTheUpgradeGetPositionsInTheOrderTheyWereReceived() throws Exception {
    // Received newest seq first, as when an agent's outbox sends again after an outage.
    Flyway.configure()
        .dataSource(fixture.cluster.jdbcUrl(fixture.storeDatabase), PostgresCluster.SUPERUSER, null)
        .schemas(Database.SCHEMA)
        .locations("classpath:db/migration")
        .target("3")
        .load()
        .migrate();
    MigrationId id = migration("vm-1");
    for (long seq = 1; seq <= 3; seq++) {
      fixture.cluster.execute(
          fixture.storeDatabase,
          "INSERT INTO pgshuttle.events (migration_id, attempt, seq, type, message_id,"
              + " emitted_at, received_at, applied, envelope) VALUES ('"
              + id
              + "', 1, "
              + seq
              + ", 'AgentHeartbeat', gen_random_uuid(), now(), now() - interval '"
              + seq
              + " minutes', true, '{\"seq\":"
              + seq
              + "}')");
    }

    open();
    assertThat(after(0))
        .extracting(StoredEvent::position, EventPositionsIT::seq)
        .containsExactly(tuple(1L, 3L), tuple(2L, 2L), tuple(3L, 1L));
    // Also from a session whose search_path does not name the schema.
    fixture.cluster.execute(
        fixture.storeDatabase,
        "INSERT INTO pgshuttle.events (migration_id, attempt, seq, type, message_id, emitted_at,"
            + " applied, envelope) VALUES ('"
            + id
            + "', 1, 4, 'AgentHeartbeat', gen_random_uuid(), now(), true, '{\"seq\":4}')");
    assertThat(after(3))
        .extracting(StoredEvent::position, EventPositionsIT::seq)
        .containsExactly(tuple(4L, 4L));
  }
}
