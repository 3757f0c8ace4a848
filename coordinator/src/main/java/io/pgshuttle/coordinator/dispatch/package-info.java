/**
 * Dispatch: starting attempts with fresh fencing tokens, publishing their StartMigration and the
 * coordinator's own events through an outbox in the store, and the retry rules that decide what
 * follows a failed attempt.
 */
package io.pgshuttle.coordinator.dispatch;
