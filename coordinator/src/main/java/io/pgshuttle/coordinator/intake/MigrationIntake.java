package io.pgshuttle.coordinator.intake;

import io.pgshuttle.coordinator.CoordinatorMetrics;
import io.pgshuttle.coordinator.dispatch.DispatchSignal;
import io.pgshuttle.coordinator.intake.IntakeOutcome.Accepted;
import io.pgshuttle.coordinator.intake.IntakeOutcome.Duplicate;
import io.pgshuttle.coordinator.intake.IntakeOutcome.Rejected;
import io.pgshuttle.coordinator.intake.IntakeOutcome.Rejection;
import io.pgshuttle.coordinator.status.MigrationState;
import io.pgshuttle.coordinator.store.Database;
import io.pgshuttle.coordinator.store.MigrationRow;
import io.pgshuttle.coordinator.store.Migrations;
import io.pgshuttle.coordinator.store.StoreException;
import io.pgshuttle.messages.MigrationRequest;
import io.pgshuttle.messages.SealedSecret;
import io.pgshuttle.messages.Secret;
import io.pgshuttle.security.AgentKeyDirectory;
import io.pgshuttle.security.KeyAlgorithm;
import io.pgshuttle.security.KeyFileException;
import io.pgshuttle.security.SecretSealer;
import jakarta.inject.Inject;
import java.security.PublicKey;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a migration request, whichever way it came (queue, HTTP, CLI): validates it, deduplicates
 * it by requestId, refuses a second live migration of an instance, and records it for dispatch.
 * Thread-safe.
 */
public final class MigrationIntake {
  private static final Logger log = LoggerFactory.getLogger(MigrationIntake.class);
  private static final String UNIQUE_VIOLATION = "23505";

  private final Database database;
  private final Migrations migrations;
  private final DispatchSignal signal;
  private final CoordinatorMetrics metrics;
  private final AgentKeyDirectory agentKeys;
  private final SecretSealer sealer;

  @Inject
  public MigrationIntake(
      Database database,
      Migrations migrations,
      DispatchSignal signal,
      CoordinatorMetrics metrics,
      AgentKeyDirectory agentKeys,
      SecretSealer sealer) {
    this.database = database;
    this.migrations = migrations;
    this.signal = signal;
    this.metrics = metrics;
    this.agentKeys = agentKeys;
    this.sealer = sealer;
  }

  /**
   * Submits {@code request}.
   *
   * @throws StoreException if the store failed; nothing was recorded and submitting again is safe
   */
  public IntakeOutcome submit(MigrationRequest request) {
    return submitAll(List.of(request)).get(0);
  }

  /**
   * Submits several requests, recording those that pass in one store transaction, in the given
   * order, each exactly as {@link #submit} would (a later request sees what an earlier one
   * recorded): one commit for many requests. A request that is refused does not hold up the others.
   *
   * @return the outcome of each request, in the same order
   * @throws StoreException if the store failed; nothing was recorded and submitting again is safe
   */
  public List<IntakeOutcome> submitAll(List<MigrationRequest> requests) {
    IntakeOutcome[] outcomes = new IntakeOutcome[requests.size()];
    List<Integer> passed = new ArrayList<>(requests.size());
    List<SealedSecret> sealed = new ArrayList<>(requests.size());
    for (int i = 0; i < requests.size(); i++) {
      MigrationRequest request = requests.get(i);
      Optional<Rejected> refusal = checkAndSeal(request, sealed);
      if (refusal.isPresent()) {
        outcomes[i] = refusal.get();
      } else {
        passed.add(i);
      }
    }
    if (!passed.isEmpty()) {
      record(requests, passed, sealed, outcomes);
    }
    boolean accepted = false;
    for (int i = 0; i < requests.size(); i++) {
      accepted |= report(requests.get(i), outcomes[i]);
    }
    if (accepted) {
      signal.wake();
    }
    return List.of(outcomes);
  }

  /**
   * Records the requests at {@code passed} in one transaction, their outcomes into {@code
   * outcomes}.
   *
   * @param sealed the sealed password of each passed request, in the same order
   */
  private void record(
      List<MigrationRequest> requests,
      List<Integer> passed,
      List<SealedSecret> sealed,
      IntakeOutcome[] outcomes) {
    try {
      List<MigrationRequest> batch = passed.stream().map(requests::get).toList();
      List<IntakeOutcome> recorded =
          database.inTransaction(connection -> recordAll(connection, batch, sealed));
      for (int j = 0; j < passed.size(); j++) {
        outcomes[passed.get(j)] = recorded.get(j);
      }
    } catch (StoreException e) {
      if (!UNIQUE_VIOLATION.equals(e.sqlState())) {
        throw e;
      }
      // Another coordinator committed a request for one of the instances meanwhile, which undid
      // the whole transaction: each request again on its own.
      for (int j = 0; j < passed.size(); j++) {
        outcomes[passed.get(j)] = recordAlone(requests.get(passed.get(j)), sealed.get(j));
      }
    }
  }

  /**
   * Why {@code request} is refused before anything is stored, if it is; else its password sealed
   * for its instance's agent (null when it has none) is added to {@code sealed}. Sealed before
   * anything is stored: the clear password never reaches the store.
   */
  private Optional<Rejected> checkAndSeal(MigrationRequest request, List<SealedSecret> sealed) {
    List<String> problems = request.problems();
    if (!problems.isEmpty()) {
      return Optional.of(
          new Rejected(Rejection.INVALID, "invalid request: " + String.join("; ", problems)));
    }
    Optional<PublicKey> sealingKey;
    try {
      sealingKey = agentKeys.find(request.instanceId(), KeyAlgorithm.X25519);
    } catch (KeyFileException e) {
      return Optional.of(new Rejected(Rejection.NO_AGENT_KEY, e.getMessage()));
    }
    if (sealingKey.isEmpty()) {
      return Optional.of(
          new Rejected(
              Rejection.NO_AGENT_KEY,
              "instance "
                  + request.instanceId()
                  + " has no registered agent keys, so its target password cannot be sealed for"
                  + " it nor its events trusted: "
                  + agentKeys.howToRegister(request.instanceId())
                  + ", then send the request again"));
    }
    Secret password = request.target().password();
    sealed.add(password == null ? null : sealer.seal(password, sealingKey.get()));
    return Optional.empty();
  }

  /** Records one request in a transaction of its own. */
  private IntakeOutcome recordAlone(MigrationRequest request, SealedSecret sealedPassword) {
    try {
      return database.inTransaction(connection -> record(connection, request, sealedPassword));
    } catch (StoreException e) {
      if (!UNIQUE_VIOLATION.equals(e.sqlState())) {
        throw e;
      }
      // Another request for the instance committed between our check and our insert.
      return busy(request.instanceId(), Optional.empty());
    }
  }

  /**
   * Counts and logs an outcome.
   *
   * @return whether the request was accepted
   */
  private boolean report(MigrationRequest request, IntakeOutcome outcome) {
    if (outcome instanceof Accepted accepted) {
      metrics.requestsAccepted().inc();
      log.info(
          "accepted request '{}' for instance {} as migration {}",
          request.requestId(),
          request.instanceId(),
          accepted.migrationId());
      return true;
    }
    if (outcome instanceof Duplicate duplicate) {
      metrics.requestsDuplicate().inc();
      if (!duplicate.sameRequest()) {
        log.warn(
            "request '{}' reuses the requestId of migration {} with other content: it starts"
                + " nothing; send it with a new requestId",
            request.requestId(),
            duplicate.migrationId());
      }
    }
    return false;
  }

  /**
   * Records {@code batch} as {@link #record(Connection, MigrationRequest, SealedSecret)} would,
   * request after request, but with one statement for each lookup and one insert: on a busy machine
   * each round trip to the store cost more than its statement, and three per request held intake to
   * about 120 requests/s in the fleet benchmark. A request sees those before it in the batch: a
   * repeated requestId is a duplicate of the first, a second request for an instance finds it busy.
   */
  private List<IntakeOutcome> recordAll(
      Connection connection, List<MigrationRequest> batch, List<SealedSecret> sealed)
      throws SQLException {
    Map<String, MigrationRow> known =
        migrations.findByRequestIds(
            connection, batch.stream().map(MigrationRequest::requestId).toList());
    Map<String, MigrationRow> live =
        migrations.findLiveOfInstances(
            connection, batch.stream().map(MigrationRequest::instanceId).toList());
    IntakeOutcome[] outcomes = new IntakeOutcome[batch.size()];
    Map<String, Integer> firstOfRequestId = new HashMap<>();
    List<Migrations.NewMigration> added = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      MigrationRequest request = batch.get(i);
      if (known.containsKey(request.requestId())) {
        outcomes[i] = duplicate(connection, known.get(request.requestId()), request);
      } else if (firstOfRequestId.containsKey(request.requestId())) {
        // Settled once the first is recorded (or found recorded by another coordinator).
        continue;
      } else if (live.containsKey(request.instanceId())) {
        outcomes[i] = busy(request.instanceId(), Optional.of(live.get(request.instanceId())));
      } else {
        firstOfRequestId.put(request.requestId(), i);
        live.put(
            request.instanceId(),
            new MigrationRow(
                request.migrationId(),
                request.requestId(),
                request.instanceId(),
                MigrationState.PENDING,
                0,
                request.options().maxAttempts()));
        added.add(new Migrations.NewMigration(request, sealed.get(i)));
      }
    }
    Set<String> inserted = added.isEmpty() ? Set.of() : migrations.insertAll(connection, added);
    for (int i = 0; i < batch.size(); i++) {
      MigrationRequest request = batch.get(i);
      int first = firstOfRequestId.getOrDefault(request.requestId(), -1);
      if (first == i) {
        outcomes[i] =
            inserted.contains(request.requestId())
                ? new Accepted(request.migrationId())
                : racedDuplicate(connection, request);
      } else if (first >= 0 && outcomes[i] == null) {
        MigrationRequest earlier = batch.get(first);
        outcomes[i] =
            inserted.contains(request.requestId())
                ? new Duplicate(
                    earlier.migrationId(),
                    MigrationState.PENDING,
                    earlier.withoutPassword().equals(request.withoutPassword()))
                : racedDuplicate(connection, request);
      }
    }
    return List.of(outcomes);
  }

  /** The same requestId committed meanwhile; it is visible to a new statement. */
  private Duplicate racedDuplicate(Connection connection, MigrationRequest request)
      throws SQLException {
    MigrationRow raced = migrations.findByRequestId(connection, request.requestId()).orElseThrow();
    return duplicate(connection, raced, request);
  }

  private IntakeOutcome record(
      Connection connection, MigrationRequest request, SealedSecret sealedPassword)
      throws SQLException {
    Optional<MigrationRow> known = migrations.findByRequestId(connection, request.requestId());
    if (known.isPresent()) {
      return duplicate(connection, known.get(), request);
    }
    Optional<MigrationRow> live = migrations.findLive(connection, request.instanceId());
    if (live.isPresent()) {
      return busy(request.instanceId(), live);
    }
    if (migrations.insert(connection, request, sealedPassword)) {
      return new Accepted(request.migrationId());
    }
    return racedDuplicate(connection, request);
  }

  private Duplicate duplicate(Connection connection, MigrationRow known, MigrationRequest request)
      throws SQLException {
    // The password is left out: the store may have dropped it once the migration ended.
    boolean same =
        migrations
            .request(connection, known.id())
            .map(stored -> stored.equals(request.withoutPassword()))
            .orElse(false);
    return new Duplicate(known.id(), known.state(), same);
  }

  private static Rejected busy(String instanceId, Optional<MigrationRow> live) {
    String which =
        live.map(
                migration ->
                    " "
                        + migration.id()
                        + " (request '"
                        + migration.requestId()
                        + "', "
                        + migration.state()
                        + ")")
            .orElse("");
    return new Rejected(
        Rejection.INSTANCE_BUSY,
        "instance "
            + instanceId
            + " already has a live migration"
            + which
            + ": an instance runs one migration at a time; send this request again once that one"
            + " has finished");
  }
}
