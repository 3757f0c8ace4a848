package io.pgshuttle.coordinator.http;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;

/** Binds the HTTP API's resources: one line per {@link Resource}. */
public final class HttpModule extends AbstractModule {
  @Override
  protected void configure() {
    Multibinder<Resource> resources = Multibinder.newSetBinder(binder(), Resource.class);
    resources.addBinding().to(HealthResource.class);
    resources.addBinding().to(MigrationsResource.class);
    resources.addBinding().to(SweepsResource.class);
    resources.addBinding().to(MetricsResource.class);
    resources.addBinding().to(OpenApiResource.class);
    resources.addBinding().to(DeadLetterResource.class);
    resources.addBinding().to(EventStreams.class);
    resources.addBinding().to(Dashboard.class);
  }
}
