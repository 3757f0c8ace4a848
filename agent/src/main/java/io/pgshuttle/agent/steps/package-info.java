/**
 * The eight steps of an attempt (PREFLIGHT to CLEANUP), each a {@link
 * io.pgshuttle.agent.pipeline.PipelineStep} that records in the attempt's journal what it made
 * before making it, and undoes it from the journal alone. {@link
 * io.pgshuttle.agent.steps.StepsModule} binds them for the {@link
 * io.pgshuttle.agent.pipeline.AttemptRunner}.
 */
package io.pgshuttle.agent.steps;
