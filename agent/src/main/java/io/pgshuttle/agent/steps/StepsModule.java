package io.pgshuttle.agent.steps;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import io.pgshuttle.agent.pipeline.PipelineStep;

/**
 * Binds the eight steps into the {@code Set<PipelineStep>} the {@link
 * io.pgshuttle.agent.pipeline.AttemptRunner} takes. The steps need an {@link
 * io.pgshuttle.agent.AgentConfig} and a {@link io.pgshuttle.iaas.DiskProvisioner} bound elsewhere.
 */
public final class StepsModule extends AbstractModule {
  @Override
  protected void configure() {
    Multibinder<PipelineStep> steps = Multibinder.newSetBinder(binder(), PipelineStep.class);
    steps.addBinding().to(PreflightStep.class);
    steps.addBinding().to(ProvisionDiskStep.class);
    steps.addBinding().to(QuiesceSourceStep.class);
    steps.addBinding().to(DumpStep.class);
    steps.addBinding().to(RestoreStep.class);
    steps.addBinding().to(VerifyStep.class);
    steps.addBinding().to(CutoverStep.class);
    steps.addBinding().to(CleanupStep.class);
  }
}
