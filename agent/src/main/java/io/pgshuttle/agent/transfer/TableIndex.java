package io.pgshuttle.agent.transfer;

import io.pgshuttle.agent.postgres.Sql;
import java.util.Objects;

/**
 * An index of a copied table that RESTORE builds as soon as the table is loaded: a plain index, or
 * a primary key, unique or exclusion constraint (which brings its index), as the source's catalog
 * holds it in the dump's snapshot.
 *
 * @param catalog the oid of its catalog on the source ({@code pg_class} for an index, {@code
 *     pg_constraint} for a constraint), which {@code pg_restore --list} shows beside its oid
 * @param oid its oid on the source
 * @param table its table, as {@link CopyTable#qualified}
 * @param name its name, for messages
 * @param constraint whether it is a constraint: added by {@code ALTER TABLE}, whose lock keeps
 *     every other build of the table waiting
 */
public record TableIndex(long catalog, long oid, String table, String name, boolean constraint) {
  public TableIndex {
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(name, "name");
  }

  /** {@code index "name" of "schema"."table"}, for messages. */
  String describe() {
    return (constraint ? "constraint " : "index ") + Sql.identifier(name) + " of " + table;
  }
}
