/**
 * The orphan sweeper: {@link io.pgshuttle.agent.sweep.LeftoverSweeper} removes the disks and the
 * staging databases that attempts of this agent's instance left behind once nothing will remove
 * them any more, and reports what it removed and what it could not.
 */
package io.pgshuttle.agent.sweep;
