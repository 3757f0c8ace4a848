package io.pgshuttle.iaas.gcp;

import com.google.api.core.ApiFunction;
import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.retrying.RetrySettings;
import com.google.api.gax.rpc.ClientSettings;
import com.google.api.gax.rpc.UnaryCallSettings;
import com.google.cloud.compute.v1.DisksClient;
import com.google.cloud.compute.v1.DisksSettings;
import com.google.cloud.compute.v1.InstancesClient;
import com.google.cloud.compute.v1.InstancesSettings;
import com.google.cloud.compute.v1.ZoneOperationsClient;
import com.google.cloud.compute.v1.ZoneOperationsSettings;
import io.pgshuttle.iaas.DiskProvisioner;
import io.pgshuttle.iaas.DiskProvisionerProvider;
import io.pgshuttle.iaas.PermanentIaasException;
import java.io.IOException;
import java.util.Map;

/**
 * Provider {@code gcp}: zonal persistent disks of Google Compute Engine, through
 * google-cloud-compute.
 *
 * <p>Settings ({@code agent.iaasSettings.*}):
 *
 * <ul>
 *   <li>{@code vmId} (required): this VM's instance name.
 *   <li>{@code project} (required): the project id of this VM; its disks are made there.
 *   <li>{@code zone} (required): this VM's zone, such as {@code europe-west1-b}.
 *   <li>{@code diskType} (default {@code pd-balanced}): a disk type of the zone ({@code
 *       pd-standard}, {@code pd-ssd}, {@code hyperdisk-balanced}, …) or a diskTypes URL.
 *   <li>{@code operationTimeout} (default {@code PT10M}): the longest wait for one zone operation,
 *       or for a new disk to become READY; also bounds the SDK's own retries of a call.
 *   <li>{@code pollInterval} (default {@code PT2S}): how often a zone operation is polled.
 *   <li>{@code endpoint} (optional): the Compute API endpoint, such as a Private Service Connect
 *       one. An {@code http://} endpoint is taken for a local stand-in of the API and called
 *       without credentials, so that no token travels unencrypted.
 * </ul>
 *
 * <p>Credentials are Application Default Credentials only: the VM's service account through the
 * metadata server, or the key file named by {@code GOOGLE_APPLICATION_CREDENTIALS}.
 *
 * <p>Tags become labels as {@link GcpNaming} describes. Stateless and thread-safe.
 */
public final class GcpDiskProvisionerProvider implements DiskProvisionerProvider {
  public static final String ID = "gcp";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public DiskProvisioner create(Map<String, String> settings) {
    GcpConfig config = GcpConfig.from(settings);
    ApiFunction<UnaryCallSettings.Builder<?, ?>, Void> bounded = boundedBy(config);
    try {
      DisksSettings.Builder disks = endpointOf(DisksSettings.newBuilder(), config);
      InstancesSettings.Builder instances = endpointOf(InstancesSettings.newBuilder(), config);
      ZoneOperationsSettings.Builder operations =
          endpointOf(ZoneOperationsSettings.newBuilder(), config);
      return new GcpDiskProvisioner(
          config,
          DisksClient.create(disks.applyToAllUnaryMethods(bounded).build()),
          InstancesClient.create(instances.applyToAllUnaryMethods(bounded).build()),
          ZoneOperationsClient.create(operations.applyToAllUnaryMethods(bounded).build()));
    } catch (IOException e) {
      throw new PermanentIaasException(
          "cannot set up the Compute Engine client: "
              + e.getMessage()
              + "; this VM needs a service account, or GOOGLE_APPLICATION_CREDENTIALS naming a"
              + " key file",
          e);
    }
  }

  private static <B extends ClientSettings.Builder<?, B>> B endpointOf(
      B builder, GcpConfig config) {
    config.endpoint().ifPresent(builder::setEndpoint);
    if (config.plainHttp()) {
      builder.setCredentialsProvider(NoCredentialsProvider.create());
    }
    return builder;
  }

  /** Keeps the SDK's retry policy of each call, but within operationTimeout in total. */
  private static ApiFunction<UnaryCallSettings.Builder<?, ?>, Void> boundedBy(GcpConfig config) {
    return call -> {
      RetrySettings retry = call.getRetrySettings();
      call.setRetrySettings(
          retry.toBuilder()
              .setTotalTimeoutDuration(config.operationTimeout())
              .setInitialRpcTimeoutDuration(config.operationTimeout())
              .setMaxRpcTimeoutDuration(config.operationTimeout())
              .build());
      return null;
    };
  }
}
