package io.pgshuttle.messages;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonTypeName;
import java.util.ArrayList;
import java.util.HashSet;
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
  static final int MAX_JOBS = 64;
  static final int MAX_ATTEMPTS = 20;

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
    if (!Names.isValidInstanceId(instanceId)) {
      problems.add(
          "instanceId '"
              + instanceId
              + "' is invalid: use 1 to 63 letters, digits, '_' or '-', starting with a letter or"
              + " digit");
    }
    var seen = new HashSet<String>();
    for (String database : databases) {
      if (!Names.isValidDatabaseName(database)) {
        problems.add("database name '" + database + "' is invalid: use 1 to 63 bytes, no NUL");
      } else if (!seen.add(database)) {
        problems.add("database '" + database + "' is named twice");
      }
    }
    if (target.host().isBlank()) {
      problems.add("target.host is empty: name the target server");
    }
    if (target.port() < 1 || target.port() > 65535) {
      problems.add("target.port " + target.port() + " is not a TCP port (1 to 65535)");
    }
    if (target.user().isBlank()) {
      problems.add("target.user is empty: name a role that can create databases and roles");
    }
    if (options.jobs() < 1 || options.jobs() > MAX_JOBS) {
      problems.add("options.jobs must be 1 to " + MAX_JOBS + ", not " + options.jobs());
    }
    if (options.maxAttempts() < 1 || options.maxAttempts() > MAX_ATTEMPTS) {
      problems.add(
          "options.maxAttempts must be 1 to " + MAX_ATTEMPTS + ", not " + options.maxAttempts());
    }
    return problems;
  }
}
