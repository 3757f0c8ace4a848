package io.pgshuttle.iaas.gcp;

import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.pgshuttle.iaas.Attachment;
import io.pgshuttle.iaas.DeviceHint;
import io.pgshuttle.iaas.Disk;
import io.pgshuttle.iaas.DiskProvisioner;
import io.pgshuttle.iaas.DiskProvisionerContract;
import io.pgshuttle.iaas.DiskProvisioners;
import io.pgshuttle.iaas.DiskRequest;
import io.pgshuttle.iaas.DiskTags;
import io.pgshuttle.iaas.IaasException;
import io.pgshuttle.iaas.PermanentIaasException;
import io.pgshuttle.iaas.TransientIaasException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract suite through the real google-cloud-compute SDK against {@link GcpStandIn}, plus
 * what went over the wire and the GCP-specific paths: lost responses, operations that never finish,
 * failed disks, wrong settings.
 */
class GcpDiskProvisionerIT extends DiskProvisionerContract {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ZONE_PATH =
      "/compute/v1/projects/" + GcpStandIn.PROJECT + "/zones/" + GcpStandIn.ZONE;

  private GcpStandIn gcp;

  @BeforeEach
  void startStandIn() {
    gcp = new GcpStandIn();
  }

  @AfterEach
  void stopStandIn() {
    gcp.close();
  }

  @Override
  protected DiskProvisioner provisioner() {
    return DiskProvisioners.create("gcp", gcp.settings());
  }

  @Override
  protected Optional<CloudFaults> faults() {
    return Optional.of(gcp.faults());
  }

  private DiskProvisioner provisionerWith(String key, String value) {
    Map<String, String> settings = new HashMap<>(gcp.settings());
    settings.put(key, value);
    return DiskProvisioners.create("gcp", settings);
  }

  private static DiskRequest request(String instance) {
    String migrationId = UUID.randomUUID().toString();
    return new DiskRequest(migrationId + "-1", 3, DiskTags.forAttempt(instance, migrationId, 1));
  }

  @Test
  void createSendsZoneTypeLabelsAndRequestIdAndWaitsForTheOperation() throws Exception {
    DiskRequest request = request("Postgres/0 Ä");
    Disk disk = provisioner().create(request);

    String name = GcpNaming.diskName(request.idempotencyKey());
    assertThat(disk).isEqualTo(new Disk(name, 3, request.tags(), false));
    assertThat(gcp.disk(name).orElseThrow().status()).isEqualTo("READY");

    List<LoggedRequest> inserts =
        gcp.server().findAll(postRequestedFor(urlPathEqualTo(ZONE_PATH + "/disks")));
    assertThat(inserts).hasSize(1);
    assertThat(inserts.get(0).queryParameter("requestId").firstValue())
        .isEqualTo(GcpNaming.requestId(request.idempotencyKey()))
        .matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    JsonNode body = JSON.readTree(inserts.get(0).getBodyAsString());
    assertThat(body.path("name").asText()).isEqualTo(name);
    assertThat(body.path("sizeGb").asText()).isEqualTo("3");
    assertThat(body.path("type").asText())
        .isEqualTo(
            "projects/"
                + GcpStandIn.PROJECT
                + "/zones/"
                + GcpStandIn.ZONE
                + "/diskTypes/pd-balanced");
    Map<String, String> labels = JSON.convertValue(body.path("labels"), Map.class);
    assertThat(labels)
        .containsEntry("created-by", "pgshuttle")
        .containsEntry("pgshuttle-migration-id", request.tags().get(DiskTags.MIGRATION_ID))
        .containsEntry("pgshuttle-attempt", "1")
        .containsEntry("pgshuttle-instance", "_50ostgres_2f0_20_c3_84");
    // The zone operation was polled until DONE, RUNNING at first.
    assertThat(gcp.server().findAll(getRequestedFor(urlPathMatching(ZONE_PATH + "/operations/.*"))))
        .hasSizeGreaterThanOrEqualTo(2);
  }

  @Test
  void diskTypeSettingIsSentAsTheZonesDiskType() throws Exception {
    provisionerWith(GcpConfig.DISK_TYPE, "pd-ssd").create(request("vm"));
    LoggedRequest insert =
        gcp.server().findAll(postRequestedFor(urlPathEqualTo(ZONE_PATH + "/disks"))).get(0);
    assertThat(JSON.readTree(insert.getBodyAsString()).path("type").asText())
        .endsWith("/zones/" + GcpStandIn.ZONE + "/diskTypes/pd-ssd");
  }

  @Test
  void attachUsesTheDiskNameAsDeviceNameAndTheDeviceAppearsBeforeAttachReturns() throws Exception {
    DiskProvisioner provisioner = provisioner();
    List<String> devices = new CopyOnWriteArrayList<>();
    gcp.onAttach(devices::add);
    Disk disk = provisioner.create(request("vm"));

    Attachment attachment = provisioner.attach(disk.id());

    String byId = "/dev/disk/by-id/google-" + disk.id();
    assertThat(attachment.deviceHints())
        .containsExactly(new DeviceHint(DeviceHint.DEVICE_PATH, byId));
    assertThat(devices).containsExactly(byId);
    assertThat(gcp.attachedDevices()).containsEntry(disk.id(), disk.id());
    List<LoggedRequest> attaches =
        gcp.server()
            .findAll(
                postRequestedFor(
                    urlPathEqualTo(ZONE_PATH + "/instances/" + GcpStandIn.VM + "/attachDisk")));
    assertThat(attaches).hasSize(1);
    JsonNode body = JSON.readTree(attaches.get(0).getBodyAsString());
    assertThat(body.path("deviceName").asText()).isEqualTo(disk.id());
    assertThat(body.path("source").asText())
        .isEqualTo(
            "projects/" + GcpStandIn.PROJECT + "/zones/" + GcpStandIn.ZONE + "/disks/" + disk.id());
    assertThat(body.path("mode").asText()).isEqualTo("READ_WRITE");
    assertThat(body.path("autoDelete").asBoolean(true)).isFalse();

    assertThat(provisioner.attach(disk.id())).isEqualTo(attachment);
    assertThat(gcp.server().findAll(postRequestedFor(urlPathMatching(".*/attachDisk"))))
        .as("a repeated attach finds the disk attached and sends nothing")
        .hasSize(1);
  }

  @Test
  void detachNamesTheDeviceAndIsNotRepeated() {
    DiskProvisioner provisioner = provisioner();
    Disk disk = provisioner.create(request("vm"));
    provisioner.attach(disk.id());

    provisioner.detach(disk.id());
    provisioner.detach(disk.id());

    List<LoggedRequest> detaches =
        gcp.server()
            .findAll(
                postRequestedFor(
                    urlPathEqualTo(ZONE_PATH + "/instances/" + GcpStandIn.VM + "/detachDisk")));
    assertThat(detaches).hasSize(1);
    assertThat(detaches.get(0).queryParameter("deviceName").firstValue()).isEqualTo(disk.id());
    assertThat(gcp.attachedDevices()).doesNotContainKey(disk.id());
    assertThat(gcp.disk(disk.id()).orElseThrow().users()).isEmpty();

    provisioner.delete(disk.id());
    assertThat(gcp.disk(disk.id())).isEmpty();
    assertThat(
            gcp.server()
                .findAll(deleteRequestedFor(urlPathEqualTo(ZONE_PATH + "/disks/" + disk.id()))))
        .hasSize(1);
  }

  @Test
  void listFiltersByLabelsOnTheServerAndReadsEveryPage() {
    DiskProvisioner provisioner = provisioner();
    String migrationId = UUID.randomUUID().toString();
    for (int attempt = 1; attempt <= FakeComputeApi.PAGE_SIZE + 1; attempt++) {
      provisioner.create(
          new DiskRequest(
              migrationId + "-" + attempt, 1, DiskTags.forAttempt("vm", migrationId, attempt)));
    }
    provisioner.create(request("vm"));

    List<Disk> listed = provisioner.listByTags(Map.of(DiskTags.MIGRATION_ID, migrationId));

    assertThat(listed).hasSize(FakeComputeApi.PAGE_SIZE + 1);
    assertThat(listed).allMatch(disk -> disk.tags().get(DiskTags.MIGRATION_ID).equals(migrationId));
    List<LoggedRequest> lists =
        gcp.server().findAll(getRequestedFor(urlPathEqualTo(ZONE_PATH + "/disks")));
    assertThat(lists).hasSize(2);
    assertThat(lists.get(0).queryParameter("filter").firstValue())
        .isEqualTo("(labels.pgshuttle-migration-id = \"" + migrationId + "\")");
    assertThat(lists.get(1).queryParameter("pageToken").isPresent()).isTrue();
    assertThat(provisioner.listByTags(Map.of())).hasSize(FakeComputeApi.PAGE_SIZE + 2);
  }

  @Test
  void anOperationThatNeverFinishesIsTransientNamingOperationTimeout() {
    DiskProvisioner provisioner = provisionerWith(GcpConfig.OPERATION_TIMEOUT, "PT0.3S");
    gcp.holdOperations(true);
    IaasException error =
        assertTimeoutPreemptively(
            Duration.ofSeconds(5), () -> assertThrowsIaas(() -> provisioner.create(request("vm"))));
    assertThat(error).isInstanceOf(TransientIaasException.class);
    assertThat(error.getMessage()).contains("agent.iaasSettings.operationTimeout", "PT0.3S");

    gcp.holdOperations(false);
    Disk disk = provisioner.create(request("vm"));
    gcp.holdOperations(true);
    assertThat(
            assertTimeoutPreemptively(
                Duration.ofSeconds(5), () -> assertThrowsIaas(() -> provisioner.attach(disk.id()))))
        .isInstanceOf(TransientIaasException.class)
        .hasMessageContaining("operationTimeout");
  }

  @Test
  void aCreateRetriedAfterALostResponseMakesNoSecondDisk() {
    DiskProvisioner provisioner = provisioner();
    DiskRequest request = request("vm");
    gcp.loseNextMutationResponse();

    IaasException lost = assertThrowsIaas(() -> provisioner.create(request));
    assertThat(lost.retryable()).isTrue();
    Disk disk = provisioner.create(request);

    assertThat(gcp.disks()).extracting(FakeComputeApi.StoredDisk::name).containsExactly(disk.id());
    List<LoggedRequest> inserts =
        gcp.server().findAll(postRequestedFor(urlPathEqualTo(ZONE_PATH + "/disks")));
    assertThat(inserts).hasSize(2);
    assertThat(inserts)
        .extracting(insert -> insert.queryParameter("requestId").firstValue())
        .containsOnly(GcpNaming.requestId(request.idempotencyKey()));
  }

  @Test
  void aRetryGcpNoLongerRecognisesFindsTheExistingDiskAndWaitsUntilItIsReady() {
    DiskProvisioner provisioner = provisioner();
    DiskRequest request = request("vm");
    gcp.holdOperations(true);
    gcp.loseNextMutationResponse();
    assertThrowsIaas(() -> provisioner.create(request));
    String name = GcpNaming.diskName(request.idempotencyKey());
    assertThat(gcp.disk(name).orElseThrow().status()).isEqualTo("CREATING");
    gcp.forgetRequestIds();
    gcp.holdOperations(false);

    Disk disk = provisioner.create(request);

    assertThat(disk.id()).isEqualTo(name);
    assertThat(disk.tags()).isEqualTo(request.tags());
    assertThat(gcp.disks()).hasSize(1);
    assertThat(gcp.disk(name).orElseThrow().status()).isEqualTo("READY");
    assertThat(
            gcp.server().getAllServeEvents().stream()
                .filter(event -> event.getResponse().getStatus() == 409))
        .as("the second insert was refused as alreadyExists")
        .hasSize(1);
  }

  @Test
  void aDiskWhoseCreationFailedIsDeletedAndTheRetryMakesItAnew() {
    DiskProvisioner provisioner = provisioner();
    DiskRequest request = request("vm");
    gcp.failNextDiskCreation();

    IaasException failed = assertThrowsIaas(() -> provisioner.create(request));
    assertThat(failed.retryable()).isTrue();
    assertThat(gcp.disks()).isEmpty();

    gcp.forgetRequestIds();
    Disk disk = provisioner.create(request);
    assertThat(gcp.disk(disk.id()).orElseThrow().status()).isEqualTo("READY");
  }

  @Test
  void serverErrorsAreTransient() {
    DiskProvisioner provisioner = provisioner();
    gcp.failNextCallWithServerError();
    assertThat(assertThrowsIaas(() -> provisioner.create(request("vm"))))
        .isInstanceOf(TransientIaasException.class)
        .hasMessageContaining("Backend Error");
  }

  @Test
  void aDeniedCallNamesTheMissingPermission() {
    DiskProvisioner provisioner = provisioner();
    gcp.faults().denyNextCall();
    assertThat(assertThrowsIaas(() -> provisioner.create(request("vm"))))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("compute.disks.create")
        .hasMessageContaining("service account");
    Disk disk = provisioner.create(request("vm"));
    gcp.faults().denyNextCall();
    assertThat(assertThrowsIaas(() -> provisioner.delete(disk.id())))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("compute.disks.delete");
    assertThat(gcp.disk(disk.id())).isPresent();
  }

  @Test
  void quotaExceededSaysSo() {
    DiskProvisioner provisioner = provisioner();
    gcp.faults().exceedQuotaOnNextCreate();
    assertThat(assertThrowsIaas(() -> provisioner.create(request("vm"))))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("DISKS_TOTAL_GB")
        .hasMessageContaining("raise the quota");
    assertThat(gcp.disks()).isEmpty();
  }

  @Test
  void anUnknownZoneIsPermanentAndNamesTheSettingEvenForDetachAndDelete() {
    DiskProvisioner provisioner = provisionerWith(GcpConfig.ZONE, "mars-central1-a");
    for (Runnable call :
        List.<Runnable>of(
            () -> provisioner.create(request("vm")),
            () -> provisioner.detach("pgshuttle-0"),
            () -> provisioner.delete("pgshuttle-0"),
            () -> provisioner.listByTags(Map.of()))) {
      assertThat(assertThrowsIaas(call::run))
          .isInstanceOf(PermanentIaasException.class)
          .hasMessageContaining("agent.iaasSettings.zone");
    }
  }

  @Test
  void anUnknownVmOrDiskTypeIsPermanentAndNamesTheSetting() {
    Disk disk = provisioner().create(request("vm"));
    assertThat(
            assertThrowsIaas(() -> provisionerWith(GcpConfig.VM_ID, "gone-vm").attach(disk.id())))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("agent.iaasSettings.vmId");
    assertThat(
            assertThrowsIaas(
                () -> provisionerWith(GcpConfig.DISK_TYPE, "pd-golden").create(request("vm"))))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("agent.iaasSettings.diskType");
  }

  @Test
  void deletingAnAttachedDiskIsTransientAndLeavesItAlone() {
    DiskProvisioner provisioner = provisioner();
    Disk disk = provisioner.create(request("vm"));
    provisioner.attach(disk.id());

    assertThat(assertThrowsIaas(() -> provisioner.delete(disk.id())))
        .isInstanceOf(TransientIaasException.class)
        .hasMessageContaining("already being used");
    assertThat(gcp.disk(disk.id())).isPresent();
  }

  @Test
  void attachingAnUnknownDiskIsPermanent() {
    assertThat(assertThrowsIaas(() -> provisioner().attach("pgshuttle-never-made")))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("pgshuttle-never-made")
        .hasMessageContaining("was not found");
  }

  private static IaasException assertThrowsIaas(Runnable call) {
    Throwable thrown = catchThrowable(call::run);
    assertThat(thrown).isInstanceOf(IaasException.class);
    return (IaasException) thrown;
  }
}
