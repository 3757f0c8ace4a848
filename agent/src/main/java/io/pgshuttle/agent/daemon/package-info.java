/**
 * The agent's side of the broker: it takes StartMigration commands from the instance's queue
 * (acking each once it is recorded on disk, not after hours of pg_dump), runs them one at a time,
 * writes their events to an on-disk outbox from which one relay thread publishes them with
 * confirms, MACed with the key the agent shares with the coordinator, heartbeats while busy, and
 * takes cancels and sweeps of leftovers from the control queue. Every command passes the {@link
 * io.pgshuttle.agent.daemon.CommandGate} (the coordinator's signature, expiry, instance, replay)
 * before anything else sees it.
 */
package io.pgshuttle.agent.daemon;
