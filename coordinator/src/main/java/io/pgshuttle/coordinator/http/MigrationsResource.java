package io.pgshuttle.coordinator.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgshuttle.coordinator.dispatch.CancelOutcome;
import io.pgshuttle.coordinator.dispatch.MigrationCanceller;
import io.pgshuttle.coordinator.intake.IntakeOutcome;
import io.pgshuttle.coordinator.intake.MigrationIntake;
import io.pgshuttle.coordinator.status.MigrationState;
import io.pgshuttle.coordinator.status.MigrationStatus;
import io.pgshuttle.coordinator.store.MigrationCursor;
import io.pgshuttle.coordinator.store.MigrationFilter;
import io.pgshuttle.coordinator.store.MigrationPage;
import io.pgshuttle.coordinator.store.StatusQueries;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MessageDecodingException;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.MigrationRequest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Migrations: their status, submitting and cancelling them. Thread-safe.
 *
 * <ul>
 *   <li>{@code GET /v1/migrations/{id}} (read): 200 with a {@link MigrationStatus}; 400 for an id
 *       that is not a UUID; 404 for an unknown one.
 *   <li>{@code GET /v1/migrations?state=&instance=&limit=&after=} (read): 200 {@code {"migrations":
 *       [...], "next": cursor|null}}, newest first; limit 1 to 1000, default 50; {@code after} a
 *       {@code next} of an earlier page; 400 for a bad parameter.
 *   <li>{@code POST /v1/migrations} (operate) with the MigrationRequest envelope a control plane
 *       publishes: 202 with the new migration's status; 200 with it for a requestId accepted before
 *       with the same request; 409 for a requestId reused with another request, or an instance with
 *       a live migration; 400 {@code {"error", "problems"}} for a malformed or invalid request.
 *   <li>{@code POST /v1/migrations/{id}/cancel} (operate) with an optional body {@code {"reason":
 *       "..."}}: 202 with the status after the request; 409 {@code {"error", "state"}} for a
 *       migration that ended SUCCEEDED or FAILED; 404 for an unknown id; 400 for a malformed id or
 *       body.
 * </ul>
 */
public final class MigrationsResource implements Resource {
  static final String EXAMPLE_ID = "123e4567-e89b-12d3-a456-426614174000";
  private static final String MIGRATIONS = "/v1/migrations";
  private static final int MAX_CANCEL_BODY_BYTES = 64 * 1024;
  private static final int MAX_REASON_LENGTH = 1000;

  private final StatusQueries queries;
  private final MigrationCanceller canceller;
  private final MigrationIntake intake;
  private final MessageCodec codec;
  private final ObjectMapper mapper;

  @Inject
  public MigrationsResource(
      StatusQueries queries,
      MigrationCanceller canceller,
      MigrationIntake intake,
      MessageCodec codec,
      ObjectMapper mapper) {
    this.queries = queries;
    this.canceller = canceller;
    this.intake = intake;
    this.codec = codec;
    this.mapper = mapper;
  }

  @Override
  public List<Route> routes() {
    return List.of(
        Route.read("GET", MIGRATIONS, this::list),
        Route.operate("POST", MIGRATIONS, this::submit),
        Route.read("GET", MIGRATIONS + "/{id}", request -> one(request.pathParameter(0))),
        Route.operate("POST", MIGRATIONS + "/{id}/cancel", this::cancel));
  }

  private ApiResponse one(String id) {
    Optional<MigrationId> migrationId = migrationId(id);
    if (migrationId.isEmpty()) {
      return notAMigrationId(id);
    }
    return found(migrationId.get(), 200);
  }

  private ApiResponse submit(ApiRequest http) throws IOException {
    MigrationRequest request;
    try {
      request =
          codec
              .decode(http.bodyBytes(MessageCodec.MAX_MESSAGE_BYTES), MigrationRequest.class)
              .payload();
    } catch (MessageDecodingException | BadRequest e) {
      return invalid("cannot read the request: " + e.getMessage(), List.of(e.getMessage()));
    }
    IntakeOutcome outcome = intake.submit(request);
    if (outcome instanceof IntakeOutcome.Accepted accepted) {
      return found(accepted.migrationId(), 202);
    }
    if (outcome instanceof IntakeOutcome.Duplicate duplicate) {
      if (duplicate.sameRequest()) {
        return found(duplicate.migrationId(), 200);
      }
      return ApiResponse.error(
          409,
          "requestId '"
              + request.requestId()
              + "' was accepted before with another request (migration "
              + duplicate.migrationId()
              + "): send that request unchanged, or this one with a new requestId",
          "migrationId",
          duplicate.migrationId());
    }
    IntakeOutcome.Rejected rejected = (IntakeOutcome.Rejected) outcome;
    if (rejected.kind() == IntakeOutcome.Rejection.INVALID) {
      return invalid(rejected.reason(), request.problems());
    }
    return ApiResponse.error(409, rejected.reason());
  }

  private static ApiResponse invalid(String message, List<String> problems) {
    return ApiResponse.error(400, message, "problems", problems);
  }

  private ApiResponse cancel(ApiRequest request) throws IOException {
    String id = request.pathParameter(0);
    Optional<MigrationId> migrationId = migrationId(id);
    if (migrationId.isEmpty()) {
      return notAMigrationId(id);
    }
    String reason = cancelReason(request);
    CancelOutcome outcome = canceller.cancel(migrationId.get(), reason, request.callerName());
    if (outcome instanceof CancelOutcome.AlreadyEnded ended) {
      return ApiResponse.error(
          409,
          "migration "
              + migrationId.get()
              + " ended "
              + ended.state()
              + " already: there is nothing to cancel",
          "state",
          ended.state());
    }
    if (outcome instanceof CancelOutcome.Unknown) {
      return ApiResponse.error(404, "no migration " + migrationId.get());
    }
    return found(migrationId.get(), 202);
  }

  /**
   * The reason of a cancel body: absent, empty or {@code {}} means none.
   *
   * @throws BadRequest saying what is wrong with the body
   */
  private String cancelReason(ApiRequest request) throws IOException {
    byte[] bytes;
    try {
      bytes = request.bodyBytes(MAX_CANCEL_BODY_BYTES);
    } catch (BadRequest e) {
      throw new BadRequest(e.getMessage() + ": send {\"reason\": \"...\"}");
    }
    if (new String(bytes, StandardCharsets.UTF_8).isBlank()) {
      return null;
    }
    JsonNode json;
    try {
      json = mapper.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw new BadRequest(
          "the request body is not JSON ("
              + e.getOriginalMessage()
              + "): send {\"reason\": \"...\"}");
    }
    if (!json.isObject()) {
      throw new BadRequest("the request body must be a JSON object such as {\"reason\": \"...\"}");
    }
    JsonNode reason = json.path("reason");
    if (reason.isMissingNode() || reason.isNull()) {
      return null;
    }
    if (!reason.isTextual()) {
      throw new BadRequest("'reason' must be a string, not " + reason.getNodeType());
    }
    String text = reason.asText().strip();
    if (text.length() > MAX_REASON_LENGTH) {
      throw new BadRequest(
          "'reason' is " + text.length() + " characters long: keep it to " + MAX_REASON_LENGTH);
    }
    return text.isEmpty() ? null : text;
  }

  private ApiResponse list(ApiRequest request) {
    Map<String, String> parameters = request.parameters();
    MigrationState state = null;
    String stateText = parameters.get("state");
    if (stateText != null && !stateText.isEmpty()) {
      try {
        state = MigrationState.valueOf(stateText);
      } catch (IllegalArgumentException e) {
        return ApiResponse.error(
            400,
            "state '"
                + stateText
                + "' is unknown: use one of "
                + Arrays.toString(MigrationState.values()));
      }
    }
    String instance = parameters.get("instance");
    int limit =
        ApiRequest.limit(parameters, MigrationFilter.DEFAULT_LIMIT, MigrationFilter.MAX_LIMIT);
    MigrationCursor after = null;
    String afterText = parameters.get("after");
    if (afterText != null && !afterText.isEmpty()) {
      try {
        after = MigrationCursor.decode(afterText);
      } catch (IllegalArgumentException e) {
        return ApiResponse.error(400, "after " + e.getMessage());
      }
    }
    MigrationPage page =
        queries.list(
            new MigrationFilter(
                state, instance == null || instance.isEmpty() ? null : instance, limit, after));
    return ApiResponse.json(
        200,
        new MigrationList(page.migrations(), page.next() == null ? null : page.next().encode()));
  }

  /** The body of a list: {@code next} is written as null on the last page. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  private record MigrationList(List<MigrationStatus> migrations, String next) {}

  private static Optional<MigrationId> migrationId(String id) {
    try {
      return Optional.of(MigrationId.parse(id));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static ApiResponse notAMigrationId(String id) {
    return ApiResponse.error(
        400, "'" + id + "' is not a migration id: expected a UUID such as " + EXAMPLE_ID);
  }

  private ApiResponse found(MigrationId migrationId, int status) {
    return queries
        .find(migrationId)
        .map(migration -> ApiResponse.json(status, migration))
        .orElseGet(() -> ApiResponse.error(404, "no migration " + migrationId));
  }
}
