package io.pgshuttle.agent.steps;

import io.pgshuttle.agent.pipeline.NonRetryableStepException;
import io.pgshuttle.agent.pipeline.StepException;
import io.pgshuttle.agent.postgres.PgConnector;
import io.pgshuttle.agent.postgres.PgEndpoint;
import java.sql.Connection;
import java.util.List;

/** Connections to the target for compensations, which may run without its password. */
final class TargetAccess {
  private TargetAccess() {}

  /**
   * A connection to the target's maintenance database for undoing {@code leftovers}.
   *
   * @throws NonRetryableStepException naming the leftovers if the target cannot be reached without
   *     a password that is not known: after an agent restart the password is gone (it is never
   *     written to disk), and the next attempt of the migration cleans up
   */
  static Connection connectForRollback(
      PgConnector connector, PgEndpoint target, List<String> leftovers) throws StepException {
    try {
      return connector.connectMaintenance(target);
    } catch (StepException e) {
      if (target.hasPassword()) {
        throw e;
      }
      throw new NonRetryableStepException(
          "left "
              + String.join(", ", leftovers)
              + " on the target at "
              + target.address()
              + ": its password is not kept on disk, so after an agent restart the next attempt"
              + " of this migration removes them ("
              + e.getMessage()
              + ")",
          e);
    }
  }
}
