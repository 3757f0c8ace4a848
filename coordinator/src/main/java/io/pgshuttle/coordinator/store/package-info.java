/**
 * The coordinator's status store in PostgreSQL: migrations, attempts, steps, events and the outbox,
 * in schema {@code pgshuttle}, migrated by Flyway. {@link io.pgshuttle.coordinator.store.Database}
 * runs transactions; the table classes hold the statements and run in the caller's transaction.
 */
package io.pgshuttle.coordinator.store;
