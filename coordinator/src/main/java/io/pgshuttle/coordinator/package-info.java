/**
 * The coordinator: takes migration requests, dispatches their attempts to agents, folds the agents'
 * events into a status view in PostgreSQL, serves it over HTTP, and has the agents sweep the
 * leftovers of ended migrations. {@link io.pgshuttle.coordinator.CoordinatorModule} wires it;
 * {@link io.pgshuttle.coordinator.CoordinatorDaemon} runs it.
 */
package io.pgshuttle.coordinator;
