package io.pgshuttle.agent.steps;

import java.util.List;

/**
 * What PREFLIGHT found the attempt must move: the databases in order and their total size.
 *
 * @param totalBytes the sum of the databases' sizes on the source
 */
public record MigrationPlan(List<PlannedDatabase> databases, long totalBytes) {
  public MigrationPlan {
    databases = List.copyOf(databases);
  }

  public List<String> names() {
    return databases.stream().map(PlannedDatabase::name).toList();
  }
}
