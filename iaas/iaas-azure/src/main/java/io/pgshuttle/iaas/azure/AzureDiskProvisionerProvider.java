package io.pgshuttle.iaas.azure;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.netty.NettyAsyncHttpClientBuilder;
import com.azure.core.http.policy.ExponentialBackoff;
import com.azure.core.http.policy.HttpLogOptions;
import com.azure.core.http.policy.RetryPolicy;
import com.azure.core.management.AzureEnvironment;
import com.azure.core.management.profile.AzureProfile;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.resourcemanager.compute.ComputeManager;
import com.azure.resourcemanager.compute.fluent.ComputeManagementClient;
import com.azure.resourcemanager.resources.fluentcore.utils.HttpPipelineProvider;
import io.pgshuttle.iaas.DiskProvisioner;
import io.pgshuttle.iaas.DiskProvisionerProvider;
import io.pgshuttle.iaas.PermanentIaasException;
import io.pgshuttle.iaas.ProviderSettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Provider {@code azure}: auxiliary disks as Azure managed disks attached to this VM.
 *
 * <p>Settings ({@code agent.iaasSettings.<key>}):
 *
 * <ul>
 *   <li>{@code vmId} (required): this VM's full resource id, {@code
 *       /subscriptions/<s>/resourceGroups/<rg>/providers/Microsoft.Compute/virtualMachines/<name>}
 *       (the instance metadata service's {@code compute.resourceId}).
 *   <li>{@code location} (required): the VM's Azure region, such as {@code westeurope}; disks are
 *       made there.
 *   <li>{@code zone} (optional): the VM's availability zone, such as {@code 1}. Set it when the VM
 *       is zonal (Azure attaches a zonal VM only disks of its own zone); leave it out for a
 *       regional VM.
 *   <li>{@code subscriptionId} (optional, the VM's): the subscription disks are made in.
 *   <li>{@code resourceGroup} (optional, the VM's): the resource group disks are made and listed
 *       in.
 *   <li>{@code diskType} (optional, {@code Premium_LRS}): the managed disk SKU, such as {@code
 *       StandardSSD_LRS} or {@code Premium_ZRS}.
 *   <li>{@code operationTimeout} (optional, {@code PT10M}): how long to wait for a disk to be made,
 *       attached, detached or deleted.
 *   <li>{@code pollInterval} (optional, {@code PT2S}): how often to look while waiting, unless
 *       Azure's {@code Retry-After} asks for longer.
 *   <li>{@code endpoint} (optional, {@code https://management.azure.com}): the Resource Manager
 *       endpoint, for private clouds and tests. An {@code http://} endpoint (a local stand-in of
 *       the API) is called without credentials, since Azure's bearer tokens are only sent over
 *       HTTPS.
 *   <li>{@code maxAttempts} (optional, {@code 3}): attempts the SDK makes of each HTTP call on
 *       throttling, server errors and I/O errors before the error reaches the caller; {@code 1}
 *       turns the SDK's own retries off.
 * </ul>
 *
 * <p>Credentials come only from the SDK's {@code DefaultAzureCredential} chain (environment,
 * workload identity, the VM's managed identity, ...), never from settings. Stateless and
 * thread-safe.
 */
public final class AzureDiskProvisionerProvider implements DiskProvisionerProvider {
  public static final String ID = "azure";
  public static final String VM_ID = "vmId";
  public static final String LOCATION = "location";
  public static final String ZONE = "zone";
  public static final String SUBSCRIPTION_ID = "subscriptionId";
  public static final String RESOURCE_GROUP = "resourceGroup";
  public static final String DISK_TYPE = "diskType";
  public static final String OPERATION_TIMEOUT = "operationTimeout";
  public static final String POLL_INTERVAL = "pollInterval";
  public static final String ENDPOINT = "endpoint";
  public static final String MAX_ATTEMPTS = "maxAttempts";

  private static final String RESOURCE_MANAGER_ENDPOINT_KEY = "resourceManagerEndpointUrl";
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration RETRY_BASE_DELAY = Duration.ofMillis(800);
  private static final Duration RETRY_MAX_DELAY = Duration.ofSeconds(8);

  @Override
  public String id() {
    return ID;
  }

  @Override
  public DiskProvisioner create(Map<String, String> settings) {
    ProviderSettings read = new ProviderSettings(ID, settings);
    String vmId =
        read.required(
            VM_ID,
            "this VM's resource id"
                + " (/subscriptions/<s>/resourceGroups/<rg>/providers/Microsoft.Compute/virtualMachines/<name>)");
    ArmId vm =
        ArmId.parse(vmId, ArmId.VIRTUAL_MACHINES)
            .orElseThrow(
                () ->
                    invalid(
                        VM_ID,
                        vmId,
                        "a virtual machine's resource id,"
                            + " /subscriptions/<s>/resourceGroups/<rg>/providers/Microsoft.Compute/virtualMachines/<name>"));
    AzureSettings azure =
        new AzureSettings(
            vm,
            read.optional(SUBSCRIPTION_ID, vm.subscriptionId()),
            read.optional(RESOURCE_GROUP, vm.resourceGroup()),
            read.required(LOCATION, "the VM's Azure region, such as westeurope"),
            read.optional(ZONE),
            read.optional(DISK_TYPE, "Premium_LRS"),
            read.operationTimeout(),
            read.pollInterval());
    int maxAttempts = read.integer(MAX_ATTEMPTS, 3);
    if (maxAttempts < 1) {
      throw invalid(MAX_ATTEMPTS, Integer.toString(maxAttempts), "at least 1");
    }
    ComputeManagementClient compute = client(azure, endpoint(read), maxAttempts);
    return new AzureDiskProvisioner(compute.getDisks(), compute.getVirtualMachines(), azure);
  }

  private static ComputeManagementClient client(
      AzureSettings azure, Optional<URI> endpoint, int maxAttempts) {
    AzureEnvironment environment =
        endpoint.map(AzureDiskProvisionerProvider::environment).orElse(AzureEnvironment.AZURE);
    AzureProfile profile = new AzureProfile(null, azure.subscriptionId(), environment);
    boolean plainHttp = endpoint.map(uri -> "http".equalsIgnoreCase(uri.getScheme())).orElse(false);
    TokenCredential credential = plainHttp ? null : new DefaultAzureCredentialBuilder().build();
    RetryPolicy retry =
        new RetryPolicy(
            new ExponentialBackoff(maxAttempts - 1, RETRY_BASE_DELAY, RETRY_MAX_DELAY),
            "Retry-After",
            ChronoUnit.SECONDS);
    HttpPipeline pipeline =
        HttpPipelineProvider.buildHttpPipeline(
            credential,
            profile,
            null,
            new HttpLogOptions(),
            null,
            retry,
            List.of(),
            new NettyAsyncHttpClientBuilder()
                .connectTimeout(CONNECT_TIMEOUT)
                .responseTimeout(RESPONSE_TIMEOUT)
                .build());
    return ComputeManager.authenticate(pipeline, profile).serviceClient();
  }

  /**
   * Azure's public cloud with the Resource Manager endpoint replaced. The default environment's map
   * is copied, never changed: it is shared by every client in the JVM.
   */
  private static AzureEnvironment environment(URI endpoint) {
    Map<String, String> endpoints = new HashMap<>(AzureEnvironment.AZURE.getEndpoints());
    endpoints.put(RESOURCE_MANAGER_ENDPOINT_KEY, endpoint.toString());
    return new AzureEnvironment(endpoints);
  }

  private static Optional<URI> endpoint(ProviderSettings read) {
    Optional<String> value = read.optional(ENDPOINT);
    if (value.isEmpty()) {
      return Optional.empty();
    }
    String expected = "an absolute URL such as https://management.azure.com";
    try {
      URI uri = new URI(value.get().replaceAll("/+$", ""));
      if (uri.getScheme() == null || uri.getHost() == null) {
        throw invalid(ENDPOINT, value.get(), expected);
      }
      return Optional.of(uri);
    } catch (URISyntaxException e) {
      throw invalid(ENDPOINT, value.get(), expected);
    }
  }

  private static PermanentIaasException invalid(String key, String value, String expected) {
    return new PermanentIaasException(
        "agent.iaasSettings."
            + key
            + " of the azure disk provider must be "
            + expected
            + ", not '"
            + value
            + "'");
  }
}
