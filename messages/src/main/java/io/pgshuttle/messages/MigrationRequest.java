package io.pgshuttle.messages;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonTypeName;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A control plane's request to migrate an instance's databases to a target server. The same message
 * arrives by queue, HTTP or CLI.
 *
 * @param requestId the idempotency key: the same requestId is the same migration
 * @param instanceId the VM whose agent runs the migration
 * @param databases the databases to move; empty means every non-template database
 * @param options null means {@link MigrationOptions#defaults()}
 */
@JsonTypeName("MigrationRequest")
public record MigrationRequest(
    @JsonProperty(required = true) String requestId,
    @JsonProperty(required = true) String instanceId,
    List<String> databases,
    @JsonProperty(required = true) TargetServer target,
    MigrationOptions options)
    implements Payload {

  static final int MAX_REQUEST_ID_LENGTH = 200;

  public MigrationRequest {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(instanceId, "instanceId");
    Objects.requireNonNull(target, "target");
    databases = databases == null ? List.of() : List.copyOf(databases);
    options = options == null ? MigrationOptions.defaults() : options.withDefaults();
  }

  /** The migration this request starts; the same requestId always gives the same id. */
  public MigrationId migrationId() {
    return MigrationId.forRequest(requestId);
  }

  /** This request with the target password removed, for storing, showing or dead-lettering. */
  public MigrationRequest withoutPassword() {
    return new MigrationRequest(
        requestId, instanceId, databases, target.withoutPassword(), options);
  }

  /**
   * What makes this request invalid, each problem a sentence that says what to fix; empty when
   * valid.
   */
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (requestId.isBlank() || requestId.length() > MAX_REQUEST_ID_LENGTH) {
      problems.add("requestId must be 1 to " + MAX_REQUEST_ID_LENGTH + " characters");
    }
    Validation.addCommandProblems(problems, instanceId, databases, target, options);
    return problems;
  }
}
