package io.pgshuttle.messages;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonTypeName;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Tells an agent to run one attempt of a migration. The envelope carries the migration id and the
 * attempt number.
 *
 * @param fencingToken grows with every dispatch; an agent refuses a command whose token is lower
 *     than one it has already seen for the migration
 * @param databases empty means every non-template database of the source
 */
@JsonTypeName("StartMigration")
public record StartMigration(
    @JsonProperty(required = true) String instanceId,
    List<String> databases,
    @JsonProperty(required = true) TargetServer target,
    @JsonProperty(required = true) MigrationOptions options,
    @JsonProperty(required = true) long fencingToken)
    implements Command {

  public StartMigration {
    Objects.requireNonNull(instanceId, "instanceId");
    Objects.requireNonNull(target, "target");
    databases = databases == null ? List.of() : List.copyOf(databases);
    options = options == null ? MigrationOptions.defaults() : options.withDefaults();
  }

  /**
   * What makes this command invalid, each problem a sentence that says what to fix; empty when
   * valid. The coordinator checked the request it came from: an agent checks again, since anyone
   * who can publish to its queue can send one.
   */
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    Validation.addCommandProblems(problems, instanceId, databases, target, options);
    return problems;
  }

  /** This command with {@code target} instead of its own, such as without the password. */
  public StartMigration withTarget(TargetServer target) {
    return new StartMigration(instanceId, databases, target, options, fencingToken);
  }
}
