package io.pgshuttle.iaas.openstack;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.pgshuttle.iaas.Attachment;
import io.pgshuttle.iaas.DeviceHint;
import io.pgshuttle.iaas.Disk;
import io.pgshuttle.iaas.DiskProvisioner;
import io.pgshuttle.iaas.DiskProvisionerContract;
import io.pgshuttle.iaas.DiskRequest;
import io.pgshuttle.iaas.DiskTags;
import io.pgshuttle.iaas.PermanentIaasException;
import io.pgshuttle.iaas.TransientIaasException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract suite through openstack4j against the stand-in, plus what OpenStack adds: what goes
 * over the wire to Keystone, Cinder and Nova, the device hints, timeouts, lost responses and the
 * errors that name a setting.
 */
class OpenStackDiskProvisionerIT extends DiskProvisionerContract {
  private static final String VOLUMES = "/volume/v3/" + FakeOpenStack.PROJECT_ID + "/volumes";
  private static final String ATTACHMENTS =
      "/compute/v2.1/servers/" + FakeOpenStack.SERVER_ID + "/os-volume_attachments";
  private static final RequestPatternBuilder AUTHENTICATIONS =
      postRequestedFor(urlPathEqualTo("/identity/v3/auth/tokens"));

  private final ObjectMapper json = new ObjectMapper();
  private OpenStackStandIn cloud;

  @BeforeEach
  void startCloud() {
    cloud = new OpenStackStandIn();
  }

  @AfterEach
  void stopCloud() {
    cloud.close();
  }

  @Override
  protected DiskProvisioner provisioner() {
    return provisioner(Map.of());
  }

  @Override
  protected Optional<CloudFaults> faults() {
    return Optional.of(cloud.faults());
  }

  private DiskProvisioner provisioner(Map<String, String> settingsOverrides) {
    Map<String, String> settings = new HashMap<>(cloud.settings());
    settings.putAll(settingsOverrides);
    return new OpenStackDiskProvisionerProvider().create(settings, cloud.environment());
  }

  private static DiskRequest request(String key) {
    return new DiskRequest(key, 2, DiskTags.forAttempt("vm-7", "m-" + key, 3));
  }

  @Test
  void createSendsZoneSizeNameAndTagsAndLooksUpTheKeyFirst() throws Exception {
    Disk disk = provisioner(Map.of("volumeType", "ssd")).create(request("k-create"));

    JsonNode sent = onlyBody(postRequestedFor(urlPathEqualTo(VOLUMES))).path("volume");
    assertThat(sent.path("availability_zone").asText()).isEqualTo(FakeOpenStack.ZONE);
    assertThat(sent.path("size").asInt()).isEqualTo(2);
    assertThat(sent.path("volume_type").asText()).isEqualTo("ssd");
    assertThat(sent.path("name").asText()).isEqualTo("pgshuttle-k-create");
    Map<String, String> metadata = new HashMap<>(DiskTags.forAttempt("vm-7", "m-k-create", 3));
    metadata.put("pgshuttle-idempotency-key", "k-create");
    assertThat(json.convertValue(sent.path("metadata"), Map.class)).isEqualTo(metadata);

    List<LoggedRequest> requests = cloud.requests(anyRequestedFor(anyUrl()));
    LoggedRequest lookup = only(getRequestedFor(urlPathEqualTo(VOLUMES + "/detail")));
    LoggedRequest post = only(postRequestedFor(urlPathEqualTo(VOLUMES)));
    assertThat(requests.indexOf(lookup)).isLessThan(requests.indexOf(post));
    assertThat(json.readTree(lookup.queryParameter("metadata").firstValue()))
        .isEqualTo(json.readTree("{\"pgshuttle-idempotency-key\":\"k-create\"}"));
    assertThat(lookup.getHeader("X-Auth-Token")).startsWith("gAAAAA");

    assertThat(disk.sizeGiB()).isEqualTo(2);
    assertThat(disk.tags()).containsAllEntriesOf(metadata);
    assertThat(cloud.diskIds()).containsExactly(disk.id());
  }

  @Test
  void createWithoutVolumeTypeLeavesTheCloudDefault() throws Exception {
    provisioner().create(request("k-default"));
    JsonNode sent = onlyBody(postRequestedFor(urlPathEqualTo(VOLUMES))).path("volume");
    assertThat(sent.has("volume_type")).isFalse();
  }

  @Test
  void createRetriedAfterALostResponseFindsTheVolumeItMade() {
    DiskProvisioner provisioner = provisioner();
    cloud.loseNextCreateResponse();
    assertThatThrownBy(() -> provisioner.create(request("k-lost")))
        .isInstanceOf(TransientIaasException.class);
    assertThat(cloud.diskIds()).hasSize(1);

    Disk disk = provisioner.create(request("k-lost"));

    assertThat(cloud.diskIds()).containsExactly(disk.id());
    assertThat(cloud.requests(postRequestedFor(urlPathEqualTo(VOLUMES)))).hasSize(1);
  }

  @Test
  void aVolumeCinderFailsToCreateIsRetryableAndTheRetryMakesANewOne() {
    DiskProvisioner provisioner = provisioner();
    cloud.failNextCreate();
    assertThatThrownBy(() -> provisioner.create(request("k-error")))
        .isInstanceOf(TransientIaasException.class)
        .hasMessageContaining("Cinder could not create volume");
    List<String> failed = cloud.diskIds();

    Disk disk = provisioner.create(request("k-error"));

    assertThat(failed).hasSize(1).doesNotContain(disk.id());
    assertThat(provisioner.listByTags(Map.of("pgshuttle-idempotency-key", "k-error")))
        .extracting(Disk::id)
        .containsExactlyInAnyOrder(failed.get(0), disk.id());
  }

  @Test
  void attachGoesThroughNovaAndHintsTheVirtioSerialThenTheDevice() throws Exception {
    List<String> devices = new CopyOnWriteArrayList<>();
    cloud.onAttach(devices::add);
    DiskProvisioner provisioner = provisioner();
    Disk first = provisioner.create(request("k-attach-1"));
    Disk second = provisioner.create(request("k-attach-2"));

    Attachment attachment = provisioner.attach(first.id());
    Attachment next = provisioner.attach(second.id());

    JsonNode sent =
        onlyBody(
            postRequestedFor(urlPathEqualTo(ATTACHMENTS)).withRequestBody(containing(first.id())));
    assertThat(sent.path("volumeAttachment").path("volumeId").asText()).isEqualTo(first.id());
    String serial = first.id().substring(0, 20);
    assertThat(attachment.deviceHints())
        .containsExactly(
            new DeviceHint(DeviceHint.BY_ID_SUFFIX, serial),
            new DeviceHint(DeviceHint.DEVICE_PATH, "/dev/vdb"));
    assertThat(next.deviceHints().get(1).value()).isEqualTo("/dev/vdc");
    assertThat(devices)
        .containsExactly(
            "/dev/disk/by-id/virtio-" + serial,
            "/dev/disk/by-id/virtio-" + second.id().substring(0, 20));
    assertThat(devices.get(0)).endsWith(attachment.deviceHints().get(0).value());

    assertThat(provisioner.attach(first.id())).isEqualTo(attachment);
    assertThat(cloud.requests(postRequestedFor(urlPathEqualTo(ATTACHMENTS)))).hasSize(2);
  }

  @Test
  void detachDeletesNovasAttachmentWhoseIdIsTheVolumeId() {
    DiskProvisioner provisioner = provisioner();
    Disk disk = provisioner.create(request("k-detach"));
    provisioner.attach(disk.id());

    provisioner.detach(disk.id());
    provisioner.detach(disk.id());

    assertThat(cloud.requests(deleteRequestedFor(urlPathEqualTo(ATTACHMENTS + "/" + disk.id()))))
        .hasSize(1);
    assertThat(provisioner.listByTags(Map.of("pgshuttle-idempotency-key", "k-detach")))
        .extracting(Disk::attached)
        .containsExactly(false);
  }

  @Test
  void deleteOfAnAttachedVolumeAsksToDetachItFirst() {
    DiskProvisioner provisioner = provisioner();
    Disk disk = provisioner.create(request("k-busy"));
    provisioner.attach(disk.id());

    assertThatThrownBy(() -> provisioner.delete(disk.id()))
        .isInstanceOf(TransientIaasException.class)
        .hasMessageContaining("detach it");
    assertThat(cloud.diskIds()).containsExactly(disk.id());
    assertThat(cloud.requests(deleteRequestedFor(urlPathEqualTo(VOLUMES + "/" + disk.id()))))
        .isEmpty();
  }

  @Test
  void anOperationThatNeverSettlesTimesOutNamingTheSetting() {
    DiskProvisioner provisioner = provisioner(Map.of("operationTimeout", "PT0.3S"));
    cloud.stall(true);

    assertTimeoutPreemptively(
        Duration.ofSeconds(10),
        () ->
            assertThatThrownBy(() -> provisioner.create(request("k-slow")))
                .isInstanceOf(TransientIaasException.class)
                .hasMessageContaining("creating")
                .hasMessageContaining("agent.iaasSettings.operationTimeout"));

    cloud.stall(false);
    Disk disk = provisioner.create(request("k-slow"));
    cloud.stall(true);
    assertTimeoutPreemptively(
        Duration.ofSeconds(10),
        () ->
            assertThatThrownBy(() -> provisioner.attach(disk.id()))
                .isInstanceOf(TransientIaasException.class)
                .hasMessageContaining("attaching")
                .hasMessageContaining("agent.iaasSettings.operationTimeout"));
  }

  @Test
  void anAttachNovaGivesUpOnIsRetryable() {
    DiskProvisioner provisioner = provisioner();
    Disk disk = provisioner.create(request("k-fail"));
    cloud.failNextAttach();

    assertThatThrownBy(() -> provisioner.attach(disk.id()))
        .isInstanceOf(TransientIaasException.class)
        .hasMessageContaining("Nova could not attach volume " + disk.id());

    assertThat(provisioner.attach(disk.id()).diskId()).isEqualTo(disk.id());
  }

  @Test
  void settingsTheCloudRejectsAreNamed() {
    assertThatThrownBy(
            () -> provisioner(Map.of("availabilityZone", "az-9")).create(request("k-zone")))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("agent.iaasSettings.availabilityZone");
    assertThatThrownBy(() -> provisioner(Map.of("volumeType", "gold")).create(request("k-type")))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("agent.iaasSettings.volumeType");
    assertThatThrownBy(() -> provisioner(Map.of("region", "RegionTwo")).create(request("k-reg")))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("agent.iaasSettings.region");

    Disk disk = provisioner().create(request("k-vm"));
    assertThatThrownBy(() -> provisioner(Map.of("vmId", "no-such-server")).attach(disk.id()))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("agent.iaasSettings.vmId");
    assertThat(cloud.diskIds()).containsExactly(disk.id());
  }

  @Test
  void deniedCallNamesThePolicyRule() {
    DiskProvisioner provisioner = provisioner();
    Disk disk = provisioner.create(request("k-policy"));
    cloud.faults().denyNextCall();

    assertThatThrownBy(() -> provisioner.attach(disk.id()))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("volume:get");
  }

  @Test
  void applicationCredentialGoesToKeystoneAndARevokedTokenIsRenewed() throws Exception {
    DiskProvisioner provisioner = provisioner();
    provisioner.listByTags(Map.of());

    JsonNode identity = onlyBody(AUTHENTICATIONS).path("auth").path("identity");
    assertThat(identity.path("methods").get(0).asText()).isEqualTo("application_credential");
    assertThat(identity.path("application_credential").path("id").asText())
        .isEqualTo(FakeOpenStack.APPLICATION_CREDENTIAL_ID);

    cloud.revokeTokens();
    Disk disk = provisioner.create(request("k-renewed"));

    assertThat(cloud.diskIds()).containsExactly(disk.id());
    assertThat(cloud.requests(AUTHENTICATIONS)).hasSize(2);
  }

  @Test
  void oneTokenServesManyCallsUntilItNearsItsExpiry() {
    DiskProvisioner provisioner = provisioner();
    provisioner.listByTags(Map.of());
    provisioner.listByTags(Map.of());
    provisioner.create(request("k-token"));
    assertThat(cloud.requests(AUTHENTICATIONS)).hasSize(1);

    cloud.tokenLifetime(Duration.ofMinutes(1));
    DiskProvisioner shortLived = provisioner();
    shortLived.listByTags(Map.of());
    shortLived.listByTags(Map.of());
    assertThat(cloud.requests(AUTHENTICATIONS)).hasSize(3);
  }

  @Test
  void passwordCredentialsAreScopedToTheProject() throws Exception {
    DiskProvisioner provisioner =
        new OpenStackDiskProvisionerProvider()
            .create(cloud.settings(), cloud.passwordEnvironment());
    Disk disk = provisioner.create(request("k-password"));

    JsonNode auth = onlyBody(AUTHENTICATIONS).path("auth");
    assertThat(auth.path("identity").path("password").path("user").path("name").asText())
        .isEqualTo(FakeOpenStack.USERNAME);
    assertThat(auth.path("scope").path("project").path("id").asText())
        .isEqualTo(FakeOpenStack.PROJECT_ID);
    assertThat(cloud.diskIds()).containsExactly(disk.id());
  }

  @Test
  void refusedCredentialsArePermanentAndNeverShowTheSecret() {
    Map<String, String> environment = new HashMap<>(cloud.environment());
    environment.put("OS_APPLICATION_CREDENTIAL_SECRET", "wrong-secret-value");
    DiskProvisioner provisioner =
        new OpenStackDiskProvisionerProvider().create(cloud.settings(), environment);

    assertThatThrownBy(() -> provisioner.listByTags(Map.of()))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("OS_APPLICATION_CREDENTIAL_SECRET")
        .hasMessageNotContaining("wrong-secret-value");
  }

  @Test
  void callsFromManyThreadsEachGetTheirOwnClient() throws Exception {
    DiskProvisioner provisioner = provisioner();
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      List<Future<Disk>> created = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        String key = "k-thread-" + i;
        created.add(threads.submit(() -> provisioner.create(request(key))));
      }
      List<String> ids = new ArrayList<>();
      for (Future<Disk> disk : created) {
        ids.add(disk.get().id());
      }
      assertThat(cloud.diskIds()).containsExactlyInAnyOrderElementsOf(ids);
    } finally {
      threads.shutdownNow();
    }
  }

  private LoggedRequest only(RequestPatternBuilder pattern) {
    List<LoggedRequest> requests = cloud.requests(pattern);
    assertThat(requests).hasSize(1);
    return requests.get(0);
  }

  private JsonNode onlyBody(RequestPatternBuilder pattern) throws Exception {
    return json.readTree(only(pattern).getBodyAsString());
  }
}
