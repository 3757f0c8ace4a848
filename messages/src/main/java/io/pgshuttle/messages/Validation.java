package io.pgshuttle.messages;

import java.util.HashSet;
import java.util.List;

/** The checks a request and the command it becomes share. Stateless. */
final class Validation {
  static final int MAX_JOBS = 64;
  static final int MAX_ATTEMPTS = 20;

  private Validation() {}

  /** Adds to {@code problems} a sentence that says what to fix for each invalid field. */
  static void addCommandProblems(
      List<String> problems,
      String instanceId,
      List<String> databases,
      TargetServer target,
      MigrationOptions options) {
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
  }
}
