package io.pgshuttle.agent.steps;

import io.pgshuttle.agent.postgres.DatabaseGrant;
import java.util.List;
import java.util.Objects;

/**
 * A source database's connection settings as they were before QUIESCE_SOURCE changed them.
 *
 * @param connectionLimit the original {@code datconnlimit}, -1 for none
 * @param defaultAcl whether the original {@code datacl} was null (the built-in defaults)
 * @param grants the original privileges, defaults spelled out; RESTORE gives them to the target
 * @param revokedConnect the CONNECT grants QUIESCE_SOURCE revokes (PUBLIC and non-superusers), to
 *     be granted back
 */
public record QuiescedDatabase(
    String name,
    int connectionLimit,
    boolean defaultAcl,
    List<DatabaseGrant> grants,
    List<DatabaseGrant> revokedConnect) {

  public QuiescedDatabase {
    Objects.requireNonNull(name, "name");
    grants = List.copyOf(grants);
    revokedConnect = List.copyOf(revokedConnect);
  }
}
