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
 * @param constraint whether it is a constraint
 * @param indexFirst for a primary key or unique constraint, how to build its index as a plain
 *     unique index and then make it the constraint; null for an index, which its dump's entry
 *     builds, and for a constraint that only its dump's entry adds whole ({@link #locksTable})
 */
public record TableIndex(
    long catalog, long oid, String table, String name, boolean constraint, IndexFirst indexFirst) {
  public TableIndex {
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(name, "name");
    if (indexFirst != null && !constraint) {
      throw new IllegalArgumentException("only a constraint is built index first: " + name);
    }
  }

  /** An index or a constraint its dump's entry builds. */
  public TableIndex(long catalog, long oid, String table, String name, boolean constraint) {
    this(catalog, oid, table, name, constraint, null);
  }

  /**
   * A constraint built in two statements: {@code CREATE UNIQUE INDEX}, which shares its table with
   * other index builds, then {@code ALTER TABLE … ADD CONSTRAINT … USING INDEX}, which takes the
   * table's lock only for a moment. The result is what the constraint's own entry makes.
   *
   * @param createIndex the source's definition of the constraint's index ({@code pg_get_indexdef},
   *     names qualified)
   * @param addConstraint the {@code ALTER TABLE} that turns that index into the constraint
   */
  public record IndexFirst(String createIndex, String addConstraint) {
    public IndexFirst {
      Objects.requireNonNull(createIndex, "createIndex");
      Objects.requireNonNull(addConstraint, "addConstraint");
    }
  }

  /**
   * Whether its build holds its table against every other build: a constraint added whole by {@code
   * ALTER TABLE}, whose lock keeps other builds of the table waiting.
   */
  boolean locksTable() {
    return constraint && indexFirst == null;
  }

  /** {@code index "name" of "schema"."table"}, for messages. */
  String describe() {
    return (constraint ? "constraint " : "index ") + Sql.identifier(name) + " of " + table;
  }
}
