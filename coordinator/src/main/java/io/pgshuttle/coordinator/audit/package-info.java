/**
 * The audit log: every command the coordinator issues, every cancel and sweep request, and who
 * asked, in the status store's {@code audit_log} table.
 */
package io.pgshuttle.coordinator.audit;
