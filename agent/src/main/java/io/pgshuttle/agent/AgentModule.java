package io.pgshuttle.agent;

import com.codahale.metrics.MetricRegistry;
import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.pgshuttle.agent.steps.StepsModule;
import io.pgshuttle.faults.Breakpoints;
import io.pgshuttle.iaas.DiskProvisioner;
import io.pgshuttle.iaas.DiskProvisioners;
import io.pgshuttle.messages.MessageCodec;
import java.time.Clock;

/** Wires an agent from its configuration. */
public final class AgentModule extends AbstractModule {
  private final AgentConfig config;

  public AgentModule(AgentConfig config) {
    this.config = config;
  }

  @Override
  protected void configure() {
    bind(AgentConfig.class).toInstance(config);
    bind(MessageCodec.class).toInstance(new MessageCodec());
    bind(Clock.class).toInstance(Clock.systemUTC());
    bind(MetricRegistry.class).toInstance(new MetricRegistry());
    bind(Breakpoints.class).toInstance(new Breakpoints(config.breakpoint()));
    bind(AgentDaemon.class).in(Singleton.class);
    install(new StepsModule());
  }

  @Provides
  @Singleton
  DiskProvisioner diskProvisioner() {
    return DiskProvisioners.create(config.iaas(), config.iaasSettings());
  }
}
