package io.pgshuttle.iaas.gcp;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.pgshuttle.iaas.CloudStandIn;
import io.pgshuttle.iaas.DiskProvisionerContract.CloudFaults;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A stand-in of the Compute Engine API on 127.0.0.1: one project ({@link #PROJECT}), one zone
 * ({@link #ZONE}) and one VM ({@link #VM}), with state (see {@link FakeComputeApi}). The provider
 * reaches it through {@link #settings()} over plain HTTP, without credentials; {@link
 * #environment()} is empty. Thread-safe.
 *
 * <p>Use: {@code try (GcpStandIn gcp = new GcpStandIn()) { gcp.onAttach(path -> ...);
 * DiskProvisioners.create("gcp", gcp.settings()) ... }}.
 */
public final class GcpStandIn implements CloudStandIn {
  public static final String PROJECT = "pgshuttle-stand-in";
  public static final String ZONE = "europe-west1-b";
  public static final String VM = "pg-vm-0";

  private final FakeComputeApi api = new FakeComputeApi(PROJECT, ZONE, VM);
  private final WireMockServer server;

  /** Starts the server on a free port. */
  public GcpStandIn() {
    server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort().extensions(api));
    server.start();
    // Every request reaches FakeComputeApi, which writes the answer.
    server.stubFor(any(anyUrl()).willReturn(aResponse()));
  }

  @Override
  public String providerId() {
    return GcpDiskProvisionerProvider.ID;
  }

  @Override
  public Map<String, String> settings() {
    return Map.of(
        GcpConfig.ENDPOINT,
        endpoint(),
        GcpConfig.PROJECT,
        PROJECT,
        GcpConfig.ZONE,
        ZONE,
        GcpConfig.VM_ID,
        VM,
        GcpConfig.POLL_INTERVAL,
        "PT0.005S",
        GcpConfig.OPERATION_TIMEOUT,
        "PT10S");
  }

  @Override
  public Map<String, String> environment() {
    return Map.of();
  }

  @Override
  public void onAttach(Consumer<String> devicePath) {
    api.onAttach(devicePath);
  }

  @Override
  public List<String> diskIds() {
    return api.disks().stream().map(FakeComputeApi.StoredDisk::name).toList();
  }

  /** The errors the contract suite injects. */
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

  /** The base URL, {@code http://127.0.0.1:<port>}. */
  public String endpoint() {
    return "http://127.0.0.1:" + server.port();
  }

  /** The server, for its request journal. */
  public WireMockServer server() {
    return server;
  }

  /** The next call is answered 503 backendError. */
  public void failNextCallWithServerError() {
    api.failNextCallWithServerError();
  }

  /** The next disk created ends in status FAILED. */
  public void failNextDiskCreation() {
    api.failNextDiskCreation();
  }

  /** The next insert, attach, detach or delete is carried out, but its response is lost. */
  public void loseNextMutationResponse() {
    api.loseNextMutationResponse();
  }

  /** While held, zone operations stay RUNNING. */
  public void holdOperations(boolean held) {
    api.holdOperations(held);
  }

  /** Forgets the requestIds of earlier inserts, as GCP does after a while. */
  public void forgetRequestIds() {
    api.forgetRequestIds();
  }

  /** The disks of the fake project, by name. */
  List<FakeComputeApi.StoredDisk> disks() {
    return api.disks();
  }

  /** One disk of the fake project. */
  Optional<FakeComputeApi.StoredDisk> disk(String name) {
    return api.disk(name);
  }

  /** Device name by disk name, of the disks attached to the VM. */
  public Map<String, String> attachedDevices() {
    return api.attachedDevices();
  }

  @Override
  public void close() {
    server.stop();
  }
}
