/**
 * The coordinator's side of the orphan sweeper: it tells each agent which of its instance's
 * migrations have ended, with their targets, in a SweepLeftovers ({@link
 * io.pgshuttle.coordinator.sweep.LeftoverSweeps}), periodically ({@link
 * io.pgshuttle.coordinator.sweep.SweepScheduler}) and on request ({@code POST /v1/gc}); it folds
 * the agents' LeftoversSwept reports into the store ({@link
 * io.pgshuttle.coordinator.sweep.SweepReports}). The agents do the sweeping: the target passwords
 * stay with the coordinator and the agents.
 */
package io.pgshuttle.coordinator.sweep;
