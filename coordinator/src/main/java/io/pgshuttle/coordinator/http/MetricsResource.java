package io.pgshuttle.coordinator.http;

import com.codahale.metrics.MetricRegistry;
import io.pgshuttle.coordinator.StoreGauges;
import io.pgshuttle.coordinator.store.StoreException;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.dropwizard.DropwizardExports;
import io.prometheus.client.exporter.common.TextFormat;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.StringWriter;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /metrics} (read): the one Dropwizard {@link MetricRegistry} in the Prometheus text
 * exposition format 0.0.4, through the Prometheus client's Dropwizard bridge (names with {@code _}
 * for {@code .} and {@code -}, e.g. {@code pgshuttle_coordinator_attempts_started}). The store's
 * gauges are read once per scrape; when the store cannot answer they show the counts read before.
 * Thread-safe.
 */
public final class MetricsResource implements Resource {
  private static final Logger log = LoggerFactory.getLogger(MetricsResource.class);

  private final StoreGauges storeGauges;
  private final CollectorRegistry collectors = new CollectorRegistry();

  @Inject
  public MetricsResource(MetricRegistry registry, StoreGauges storeGauges) {
    this.storeGauges = storeGauges;
    new DropwizardExports(registry).register(collectors);
  }

  @Override
  public List<Route> routes() {
    return List.of(Route.read("GET", "/metrics", request -> scrape()));
  }

  private ApiResponse scrape() throws IOException {
    try {
      storeGauges.refresh();
    } catch (StoreException e) {
      log.warn("metrics show the store's counts of an earlier scrape: {}", e.getMessage());
    }
    StringWriter text = new StringWriter();
    TextFormat.write004(text, collectors.metricFamilySamples());
    return ApiResponse.text(200, TextFormat.CONTENT_TYPE_004, text.toString());
  }
}
