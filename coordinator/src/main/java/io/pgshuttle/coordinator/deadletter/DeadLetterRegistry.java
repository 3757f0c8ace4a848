package io.pgshuttle.coordinator.deadletter;

import com.rabbitmq.client.AMQP;
import io.pgshuttle.amqp.AmqpException;
import io.pgshuttle.amqp.PublishOutcome;
import io.pgshuttle.coordinator.broker.Broker;
import io.pgshuttle.coordinator.status.DeadLetter;
import io.pgshuttle.coordinator.store.Database;
import io.pgshuttle.coordinator.store.DeadLetterFilter;
import io.pgshuttle.coordinator.store.DeadLetters;
import io.pgshuttle.coordinator.store.MigrationRow;
import io.pgshuttle.coordinator.store.Migrations;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MessageDecodingException;
import io.pgshuttle.messages.MigrationRequest;
import io.pgshuttle.messages.Secret;
import io.pgshuttle.messages.TargetServer;
import io.pgshuttle.messages.Topology;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lists, replays and drops the dead letters the {@link DeadLetterConsumer} recorded.
 *
 * <p>A replay re-reads and re-validates the stored request and keeps its requestId: a requestId
 * that started a migration already publishes nothing ({@link ReplayOutcome#ALREADY_ACCEPTED}); an
 * unreadable or invalid request publishes nothing ({@link ReplayOutcome#INVALID}); otherwise the
 * request goes to the requests queue again ({@link ReplayOutcome#REPLAYED}) with the dead letter's
 * id and its replay count in headers of our own ({@link Topology#DEAD_LETTER_ID_HEADER}, {@link
 * Topology#REPLAYS_HEADER}), so one that fails again updates the same entry. The broker's {@code
 * x-death} is never written. A request whose password was removed needs it again from the caller.
 * The entry stays after a replay (drop removes it). Thread-safe.
 */
public final class DeadLetterRegistry {
  private static final Logger log = LoggerFactory.getLogger(DeadLetterRegistry.class);
  private static final int BULK_PAGE = 100;

  private final Database database;
  private final DeadLetters deadLetters;
  private final Migrations migrations;
  private final Broker broker;
  private final Topology topology;
  private final MessageCodec codec;

  @Inject
  public DeadLetterRegistry(
      Database database,
      DeadLetters deadLetters,
      Migrations migrations,
      Broker broker,
      Topology topology,
      MessageCodec codec) {
    this.database = database;
    this.deadLetters = deadLetters;
    this.migrations = migrations;
    this.broker = broker;
    this.topology = topology;
    this.codec = codec;
  }

  /** One page of dead letters, newest first. */
  public DeadLetterPage list(DeadLetterFilter filter) {
    Page page = page(filter);
    return new DeadLetterPage(
        page.rows().stream().map(DeadLetters.Row::letter).toList(),
        page.next() == null ? null : page.next().toString());
  }

  /** Rows of one page, and the cursor of the next one (null on the last page). */
  private record Page(List<DeadLetters.Row> rows, Long next) {}

  private Page page(DeadLetterFilter filter) {
    List<DeadLetters.Row> rows =
        database.inTransaction(connection -> deadLetters.list(connection, filter));
    if (rows.size() <= filter.limit()) {
      return new Page(rows, null);
    }
    List<DeadLetters.Row> shown = rows.subList(0, filter.limit());
    return new Page(shown, shown.get(shown.size() - 1).position());
  }

  /** The dead letter; empty if there is none. */
  public Optional<DeadLetter> find(UUID id) {
    return database
        .inTransaction(connection -> deadLetters.find(connection, id))
        .map(DeadLetters.Row::letter);
  }

  /**
   * Replays one dead letter.
   *
   * @param targetPassword the target password to put back; null if none is given
   * @return empty if there is no such dead letter
   * @throws PasswordRequiredException if its password was removed and none is given (nothing
   *     changed)
   * @throws AmqpException if the broker did not take the replay (nothing changed)
   */
  public Optional<ReplayResult> replay(UUID id, Secret targetPassword) {
    Optional<ReplayResult> result =
        database.inTransaction(
            connection -> {
              Optional<DeadLetters.Row> row = deadLetters.lock(connection, id);
              if (row.isEmpty()) {
                return Optional.empty();
              }
              return Optional.of(replay(connection, row.get(), targetPassword));
            });
    result.ifPresent(replayed -> audit("replay", id, replayed.outcome().name()));
    return result;
  }

  /**
   * Replays every dead letter that {@code reason} and {@code instanceId} select (null for any),
   * oldest first. One whose password was removed is {@link ReplayOutcome#INVALID} when no {@code
   * targetPassword} is given.
   *
   * @throws AmqpException if the broker did not take a replay; those before it are done
   */
  public List<ReplayResult> replayAll(String reason, String instanceId, Secret targetPassword) {
    List<UUID> ids = new ArrayList<>();
    Page page = new Page(List.of(), null);
    do {
      page = page(new DeadLetterFilter(reason, instanceId, page.next(), BULK_PAGE));
      page.rows().forEach(row -> ids.add(row.letter().id()));
    } while (page.next() != null);
    Collections.reverse(ids);
    List<ReplayResult> results = new ArrayList<>();
    for (UUID id : ids) {
      try {
        replay(id, targetPassword).ifPresent(results::add);
      } catch (PasswordRequiredException e) {
        audit("replay", id, ReplayOutcome.INVALID.name());
        results.add(new ReplayResult(id, ReplayOutcome.INVALID, e.getMessage(), null));
      }
    }
    return results;
  }

  /** Deletes the dead letter; false if there was none. */
  public boolean drop(UUID id) {
    boolean deleted = database.inTransaction(connection -> deadLetters.delete(connection, id));
    if (deleted) {
      audit("drop", id, "DELETED");
    }
    return deleted;
  }

  private ReplayResult replay(Connection connection, DeadLetters.Row row, Secret targetPassword)
      throws SQLException {
    DeadLetter letter = row.letter();
    UUID id = letter.id();
    if (letter.request() == null) {
      return invalid(
          id,
          "its body is not JSON, so it is no request: fix it at its source and"
              + " send it again, then drop this dead letter",
          null);
    }
    Envelope<MigrationRequest> envelope;
    try {
      envelope =
          codec.decode(
              letter.request().toString().getBytes(StandardCharsets.UTF_8), MigrationRequest.class);
    } catch (MessageDecodingException e) {
      return invalid(
          id,
          "it cannot be read ("
              + e.getMessage()
              + "): fix it at its source and"
              + " send it again, then drop this dead letter",
          null);
    }
    MigrationRequest request = envelope.payload();
    Optional<MigrationRow> accepted = migrations.findByRequestId(connection, request.requestId());
    if (accepted.isPresent()) {
      return new ReplayResult(
          id,
          ReplayOutcome.ALREADY_ACCEPTED,
          "request '"
              + request.requestId()
              + "' was accepted already as migration "
              + accepted.get().id()
              + " ("
              + accepted.get().state()
              + "): nothing was published",
          accepted.get().id());
    }
    List<String> problems = request.problems();
    if (!problems.isEmpty()) {
      return invalid(
          id,
          "the request is invalid: "
              + String.join("; ", problems)
              + ". Send a corrected request with a new requestId, then drop this dead letter",
          request);
    }
    if (row.passwordRemoved() && targetPassword == null) {
      throw new PasswordRequiredException(id);
    }
    MigrationRequest restored =
        targetPassword == null ? request : withPassword(request, targetPassword);
    int replays = letter.replays() + 1;
    publish(
        id,
        replays,
        new Envelope<>(
            envelope.messageId(),
            envelope.instanceId(),
            envelope.migrationId(),
            envelope.attempt(),
            envelope.seq(),
            envelope.emittedAt(),
            restored));
    deadLetters.countReplay(connection, id);
    log.info("replayed dead letter {} (request '{}'), replay {}", id, request.requestId(), replays);
    return new ReplayResult(
        id,
        ReplayOutcome.REPLAYED,
        "request '"
            + request.requestId()
            + "' was published to "
            + topology.requestsQueue()
            + " again (replay "
            + replays
            + ")",
        request.migrationId());
  }

  private void publish(UUID id, int replays, Envelope<MigrationRequest> envelope) {
    AMQP.BasicProperties properties =
        new AMQP.BasicProperties.Builder()
            .contentType("application/json")
            .deliveryMode(2)
            .messageId(UUID.randomUUID().toString())
            .type(envelope.type())
            .headers(
                Map.of(
                    Topology.DEAD_LETTER_ID_HEADER,
                    id.toString(),
                    Topology.REPLAYS_HEADER,
                    replays))
            .build();
    PublishOutcome outcome =
        broker
            .publisher()
            .publishRaw("", topology.requestsQueue(), properties, codec.encode(envelope), true);
    if (outcome == PublishOutcome.UNROUTABLE) {
      throw new AmqpException(
          "queue "
              + topology.requestsQueue()
              + " does not exist: start the coordinator again to"
              + " declare it, then replay");
    }
  }

  private static MigrationRequest withPassword(MigrationRequest request, Secret password) {
    TargetServer target = request.target();
    return new MigrationRequest(
        request.requestId(),
        request.instanceId(),
        request.databases(),
        new TargetServer(target.host(), target.port(), target.user(), password, target.sslmode()),
        request.options());
  }

  private static ReplayResult invalid(UUID id, String why, MigrationRequest request) {
    return new ReplayResult(
        id,
        ReplayOutcome.INVALID,
        "dead letter " + id + " cannot be replayed: " + why,
        request == null ? null : request.migrationId());
  }

  /**
   * Where the audit record of each dead-letter action (replay, drop) will be written; the audit log
   * is built apart (issue 5). Until it lands, the action is logged.
   */
  private void audit(String action, UUID id, String outcome) {
    log.info("dead letter {}: {} -> {}", id, action, outcome);
  }
}
