/**
 * The status view of migrations, as HTTP and the CLI show it: immutable records whose JSON form is
 * a documented, stable contract (see {@link io.pgshuttle.coordinator.status.MigrationStatus}).
 */
package io.pgshuttle.coordinator.status;
