package io.pgshuttle.iaas.openstack;

import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.pgshuttle.iaas.CloudStandIn;
import io.pgshuttle.iaas.DiskProvisionerContract.CloudFaults;
import io.pgshuttle.iaas.openstack.FakeOpenStack.Injected;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A stand-in of an OpenStack cloud (Keystone, Cinder, Nova) on a WireMock server on 127.0.0.1, for
 * the {@code openstack} provider. {@link #settings()} and {@link #environment()} point the provider
 * at it: the environment carries an application credential and {@code OS_AUTH_URL}, and Keystone's
 * service catalog names this server's Cinder and Nova. Thread-safe.
 */
public final class OpenStackStandIn implements CloudStandIn {
  private final FakeOpenStack cloud = new FakeOpenStack();
  private final WireMockServer server;

  /** Starts the server on a free port. */
  public OpenStackStandIn() {
    server =
        new WireMockServer(
            WireMockConfiguration.options()
                .bindAddress("127.0.0.1")
                .dynamicPort()
                .extensions(cloud));
    server.start();
    server.stubFor(any(anyUrl()).willReturn(ok()));
  }

  @Override
  public String providerId() {
    return OpenStackDiskProvisionerProvider.ID;
  }

  @Override
  public Map<String, String> settings() {
    return Map.of(
        OpenStackDiskProvisionerProvider.VM_ID, FakeOpenStack.SERVER_ID,
        OpenStackDiskProvisionerProvider.AVAILABILITY_ZONE, FakeOpenStack.ZONE,
        OpenStackDiskProvisionerProvider.REGION, FakeOpenStack.REGION,
        OpenStackDiskProvisionerProvider.OPERATION_TIMEOUT, "PT10S",
        OpenStackDiskProvisionerProvider.POLL_INTERVAL, "PT0.005S");
  }

  /** An application credential of the fake project, and Keystone's URL. */
  @Override
  public Map<String, String> environment() {
    return Map.of(
        "OS_AUTH_URL",
        authUrl(),
        "OS_APPLICATION_CREDENTIAL_ID",
        FakeOpenStack.APPLICATION_CREDENTIAL_ID,
        "OS_APPLICATION_CREDENTIAL_SECRET",
        FakeOpenStack.APPLICATION_CREDENTIAL_SECRET);
  }

  /** A user's password in the fake project, and Keystone's URL: the other way to authenticate. */
  public Map<String, String> passwordEnvironment() {
    return Map.of(
        "OS_AUTH_URL", authUrl(),
        "OS_USERNAME", FakeOpenStack.USERNAME,
        "OS_PASSWORD", FakeOpenStack.PASSWORD,
        "OS_USER_DOMAIN_NAME", FakeOpenStack.USER_DOMAIN,
        "OS_PROJECT_ID", FakeOpenStack.PROJECT_ID);
  }

  /** Keystone's URL as an openrc file gives it. */
  public String authUrl() {
    return "http://127.0.0.1:" + server.port() + "/identity/v3";
  }

  @Override
  public void onAttach(Consumer<String> devicePath) {
    cloud.onAttach(devicePath);
  }

  /** The errors the contract suite injects. */
  public CloudFaults faults() {
    return new CloudFaults() {
      @Override
      public void throttleNextCall() {
        cloud.inject(Injected.THROTTLE);
      }

      @Override
      public void denyNextCall() {
        cloud.inject(Injected.DENY);
      }

      @Override
      public void exceedQuotaOnNextCreate() {
        cloud.inject(Injected.QUOTA_ON_CREATE);
      }
    };
  }

  /** The next create makes the volume, but its response is lost (the connection is reset). */
  public void loseNextCreateResponse() {
    cloud.inject(Injected.LOSE_CREATE_RESPONSE);
  }

  /** The next volume created goes to status error, as when no Cinder back end can hold it. */
  public void failNextCreate() {
    cloud.inject(Injected.FAIL_CREATE);
  }

  /** The next attach fails inside Nova: the volume goes back to available. */
  public void failNextAttach() {
    cloud.inject(Injected.FAIL_ATTACH);
  }

  /** While stalled, volumes stay in their passing states (creating, attaching, ...). */
  public void stall(boolean stall) {
    cloud.stall(stall);
  }

  /** How long the tokens Keystone issues from now on are valid. */
  public void tokenLifetime(Duration lifetime) {
    cloud.tokenLifetime(lifetime);
  }

  /** Revokes every token issued so far, as an expiry or a Keystone restart would. */
  public void revokeTokens() {
    cloud.revokeTokens();
  }

  @Override
  public List<String> diskIds() {
    return cloud.volumeIds();
  }

  /** The requests received that match {@code pattern}, oldest first. */
  public List<LoggedRequest> requests(RequestPatternBuilder pattern) {
    return server.findAll(pattern);
  }

  @Override
  public void close() {
    server.stop();
  }
}
