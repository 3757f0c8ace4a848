package io.pgshuttle.coordinator.intake;

import io.pgshuttle.coordinator.CoordinatorMetrics;
import io.pgshuttle.coordinator.dispatch.DispatchSignal;
import io.pgshuttle.coordinator.intake.IntakeOutcome.Accepted;
import io.pgshuttle.coordinator.intake.IntakeOutcome.Duplicate;
import io.pgshuttle.coordinator.intake.IntakeOutcome.Rejected;
import io.pgshuttle.coordinator.intake.IntakeOutcome.Rejection;
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
import java.util.List;
import java.util.Optional;
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
    List<String> problems = request.problems();
    if (!problems.isEmpty()) {
      return new Rejected(Rejection.INVALID, "invalid request: " + String.join("; ", problems));
    }
    Optional<PublicKey> sealingKey;
    try {
      sealingKey = agentKeys.find(request.instanceId(), KeyAlgorithm.X25519);
    } catch (KeyFileException e) {
      return new Rejected(Rejection.NO_AGENT_KEY, e.getMessage());
    }
    if (sealingKey.isEmpty()) {
      return new Rejected(
          Rejection.NO_AGENT_KEY,
          "instance "
              + request.instanceId()
              + " has no registered agent keys, so its target password cannot be sealed for it nor"
              + " its events trusted: "
              + agentKeys.howToRegister(request.instanceId())
              + ", then send the request again");
    }
    // Sealed before anything is stored: the clear password never reaches the store.
    Secret password = request.target().password();
    SealedSecret sealed = password == null ? null : sealer.seal(password, sealingKey.get());
    IntakeOutcome outcome;
    try {
      outcome = database.inTransaction(connection -> record(connection, request, sealed));
    } catch (StoreException e) {
      if (!UNIQUE_VIOLATION.equals(e.sqlState())) {
        throw e;
      }
      // Another request for the instance committed between our check and our insert.
      outcome = busy(request.instanceId(), Optional.empty());
    }
    if (outcome instanceof Accepted accepted) {
      metrics.requestsAccepted().inc();
      log.info(
          "accepted request '{}' for instance {} as migration {}",
          request.requestId(),
          request.instanceId(),
          accepted.migrationId());
      signal.wake();
    } else if (outcome instanceof Duplicate duplicate) {
      metrics.requestsDuplicate().inc();
      if (!duplicate.sameRequest()) {
        log.warn(
            "request '{}' reuses the requestId of migration {} with other content: it starts"
                + " nothing; send it with a new requestId",
            request.requestId(),
            duplicate.migrationId());
      }
    }
    return outcome;
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
    // The same requestId committed meanwhile; it is visible to this new statement.
    MigrationRow raced = migrations.findByRequestId(connection, request.requestId()).orElseThrow();
    return duplicate(connection, raced, request);
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
