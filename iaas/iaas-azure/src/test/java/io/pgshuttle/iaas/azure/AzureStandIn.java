package io.pgshuttle.iaas.azure;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.pgshuttle.iaas.CloudStandIn;
import io.pgshuttle.iaas.DiskProvisionerContract.CloudFaults;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A stand-in of Azure Resource Manager on 127.0.0.1 (a free port): one subscription, one VM ({@link
 * #VM_ID}, zone 1 of {@link #LOCATION}, BOSH's persistent disk at LUN 0) and the managed disks of
 * resource group {@link #DISK_GROUP}. Disk creation, deletion and VM updates are long-running
 * operations polled through {@code Azure-AsyncOperation} with {@code Retry-After: 0}.
 *
 * <p>Use: {@code try (AzureStandIn azure = new AzureStandIn()) { DiskProvisioners.create("azure",
 * azure.settings()) ... }}. The provider needs no credentials here: {@link #settings()} points it
 * at an {@code http://} endpoint, which it calls without any, and {@link #environment()} is empty.
 * Thread-safe.
 */
public final class AzureStandIn implements CloudStandIn {
  public static final String SUBSCRIPTION = "5b1e1d4c-0000-4000-8000-00000000a2e1";
  public static final String VM_GROUP = "rg-pgshuttle-vms";
  public static final String DISK_GROUP = "rg-pgshuttle-disks";
  public static final String LOCATION = "westeurope";
  public static final String ZONE = "1";
  public static final String VM_ID =
      "/subscriptions/"
          + SUBSCRIPTION
          + "/resourceGroups/"
          + VM_GROUP
          + "/providers/Microsoft.Compute/virtualMachines/pg-0";

  private final AzureApi api = new AzureApi(SUBSCRIPTION, VM_ID, LOCATION, ZONE, DISK_GROUP);
  private final WireMockServer server =
      new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort().extensions(api));

  /** Starts the server. */
  public AzureStandIn() {
    server.start();
    server.stubFor(any(anyUrl()).willReturn(aResponse()));
  }

  @Override
  public String providerId() {
    return AzureDiskProvisionerProvider.ID;
  }

  /**
   * Settings for this stand-in: its endpoint, the VM, the location and zone, the disks' resource
   * group, polling every 10 ms, a 10 s operation timeout, and no retries inside the SDK (so that
   * each injected fault reaches the caller).
   */
  @Override
  public Map<String, String> settings() {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put(AzureDiskProvisionerProvider.ENDPOINT, endpoint());
    settings.put(AzureDiskProvisionerProvider.VM_ID, VM_ID);
    settings.put(AzureDiskProvisionerProvider.LOCATION, LOCATION);
    settings.put(AzureDiskProvisionerProvider.ZONE, ZONE);
    settings.put(AzureDiskProvisionerProvider.RESOURCE_GROUP, DISK_GROUP);
    settings.put(AzureDiskProvisionerProvider.POLL_INTERVAL, "PT0.01S");
    settings.put(AzureDiskProvisionerProvider.OPERATION_TIMEOUT, "PT10S");
    settings.put(AzureDiskProvisionerProvider.MAX_ATTEMPTS, "1");
    return settings;
  }

  /** None: the provider calls an {@code http://} endpoint without credentials. */
  @Override
  public Map<String, String> environment() {
    return Map.of();
  }

  @Override
  public void onAttach(Consumer<String> devicePath) {
    api.onAttach(devicePath);
  }

  /** The API's base URL, such as {@code http://127.0.0.1:43121}. */
  public String endpoint() {
    return "http://127.0.0.1:" + server.port();
  }

  /** Errors for the contract suite. */
  public CloudFaults faults() {
    return new CloudFaults() {
      @Override
      public void throttleNextCall() {
        api.throttleNextCall();
      }

      @Override
      public void denyNextCall() {
        api.denyNextCall();
      }

      @Override
      public void exceedQuotaOnNextCreate() {
        api.exceedQuotaOnNextCreate();
      }
    };
  }

  /** From now on, long-running operations stay {@code InProgress}. */
  public void hangOperations() {
    api.hangOperations();
  }

  /** The next disk creation takes effect, but its connection is reset before the answer. */
  public void dropResponseToNextCreate() {
    api.dropResponseToNextCreate();
  }

  /** The next long-running operation ends {@code Failed} with this error, changing nothing. */
  public void failNextOperation(String code, String message) {
    api.failNextOperation(code, message);
  }

  @Override
  public List<String> diskIds() {
    return api.disks().values().stream().map(disk -> disk.get("id").asText()).toList();
  }

  /** The managed disks there are now, by name, as the API shows them. */
  public Map<String, JsonNode> disks() {
    return api.disks();
  }

  /** The VM's data disks now: LUN to managed disk id (with the resource group in capitals). */
  public Map<Integer, String> vmDataDisks() {
    return api.vmDataDisks();
  }

  /** The server, for its request journal. */
  public WireMockServer server() {
    return server;
  }

  @Override
  public void close() {
    server.stop();
  }
}
