/**
 * PostgreSQL as the steps use it: connections to the source and the target, the client tools
 * ({@code pg_dump}, {@code pg_dumpall}, {@code pg_restore}, {@code psql}) run with a 0600 password
 * file, identifier and literal quoting, the filtering of {@code pg_dumpall} output, and the catalog
 * queries that fingerprint a database for VERIFY. Nothing here knows about steps or journals.
 */
package io.pgshuttle.agent.postgres;
