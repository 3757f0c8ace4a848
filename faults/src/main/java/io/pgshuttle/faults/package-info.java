/**
 * Breakpoints: named places in the agent and the coordinator where a fault test holds the process
 * so that it kills it exactly there. Inert in production.
 */
package io.pgshuttle.faults;
