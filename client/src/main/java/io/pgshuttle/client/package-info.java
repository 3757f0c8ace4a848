/**
 * The Java client of a pgshuttle installation, for control planes: submit, read, list and cancel
 * migrations and triage dead letters through the coordinator's HTTP API ({@link
 * io.pgshuttle.client.PgShuttleClient}), follow events over Server-Sent Events, and subscribe to
 * the events exchange with a durable queue of the control plane's own ({@link
 * io.pgshuttle.client.Subscription}).
 *
 * <p>Values ({@code Migration}, {@code DeadLetter}, ...) are immutable records, safe to share
 * between threads; their lists are unmodifiable. Fields the coordinator leaves out or sends as null
 * are null, as each record's Javadoc says. Every failure is a {@link
 * io.pgshuttle.client.PgShuttleClientException}, which says whether the same call may succeed
 * later. The {@code io.pgshuttle.client.internal} package is not part of the API.
 */
package io.pgshuttle.client;
