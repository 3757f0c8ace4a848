/**
 * Runs one attempt: the steps in order, each recording what it made in the {@link
 * io.pgshuttle.agent.pipeline.AttemptJournal}, and on failure their compensations in reverse. Steps
 * never retry; the coordinator starts the next attempt.
 */
package io.pgshuttle.agent.pipeline;
