package io.pgshuttle.iaas.alibaba;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.moreThanOrExactly;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.pgshuttle.iaas.Attachment;
import io.pgshuttle.iaas.DeviceHint;
import io.pgshuttle.iaas.Disk;
import io.pgshuttle.iaas.DiskProvisioner;
import io.pgshuttle.iaas.DiskProvisionerContract;
import io.pgshuttle.iaas.DiskProvisioners;
import io.pgshuttle.iaas.DiskRequest;
import io.pgshuttle.iaas.DiskTags;
import io.pgshuttle.iaas.PermanentIaasException;
import io.pgshuttle.iaas.TransientIaasException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract suite through the real ECS SDK against {@link AlibabaStandIn}, plus what went over
 * the wire and what only this provider does. The SDK's credentials come from the environment that
 * failsafe sets (see the pom), as the stand-in's {@link AlibabaStandIn#environment()} says.
 */
class AlibabaDiskProvisionerIT extends DiskProvisionerContract {
  private AlibabaStandIn standIn;

  @BeforeEach
  void startStandIn() {
    standIn = new AlibabaStandIn();
    standIn
        .environment()
        .forEach(
            (name, value) ->
                assertThat(System.getenv(name))
                    .as("environment variable %s, which failsafe sets from the pom", name)
                    .isEqualTo(value));
  }

  @AfterEach
  void stopStandIn() {
    standIn.close();
  }

  @Override
  protected DiskProvisioner provisioner() {
    return DiskProvisioners.create(AlibabaDiskProvisionerProvider.ID, standIn.settings());
  }

  @Override
  protected Optional<CloudFaults> faults() {
    return Optional.of(standIn.faults());
  }

  private DiskProvisioner provisioner(String key, String value) {
    Map<String, String> settings = new HashMap<>(standIn.settings());
    settings.put(key, value);
    return DiskProvisioners.create(AlibabaDiskProvisionerProvider.ID, settings);
  }

  private static DiskRequest request(String key) {
    return new DiskRequest(key, 1, DiskTags.forAttempt("vm-7", "migration-" + key, 1));
  }

  @Test
  void createAsksForTheZoneCategorySizeTagsAndATokenFromTheKeyAndWaitsUntilAvailable() {
    DiskRequest request = request("m-1");
    Disk disk = provisioner().create(request);

    List<Map<String, String>> creates = standIn.calls("CreateDisk");
    assertThat(creates).hasSize(1);
    Map<String, String> create = creates.get(0);
    assertThat(create)
        .containsEntry("RegionId", AlibabaStandIn.REGION_ID)
        .containsEntry("ZoneId", AlibabaStandIn.ZONE_ID)
        .containsEntry("DiskCategory", "cloud_essd")
        .containsEntry("Size", "20")
        .containsEntry("DiskName", "pgshuttle-m-1")
        .containsEntry("ClientToken", AlibabaDiskProvisioner.clientToken("m-1"));
    Map<String, String> sentTags = new TreeMap<>();
    for (int n = 1; create.containsKey("Tag." + n + ".Key"); n++) {
      sentTags.put(create.get("Tag." + n + ".Key"), create.get("Tag." + n + ".Value"));
    }
    assertThat(sentTags).isEqualTo(request.tags());
    standIn
        .wireMock()
        .verify(
            postRequestedFor(urlPathEqualTo("/"))
                .withHeader("x-acs-action", equalTo("CreateDisk"))
                .withHeader(
                    "Authorization", containing("Credential=" + AlibabaStandIn.ACCESS_KEY_ID)));
    standIn
        .wireMock()
        .verify(
            moreThanOrExactly(2),
            postRequestedFor(urlPathEqualTo("/"))
                .withHeader("x-acs-action", equalTo("DescribeDisks")));

    assertThat(disk.sizeGiB()).isEqualTo(20);
    assertThat(disk.attached()).isFalse();
    assertThat(disk.tags()).isEqualTo(request.tags());
    assertThat(standIn.diskStatuses()).containsExactly(Map.entry(disk.id(), "Available"));
  }

  @Test
  void attachGoesToThisVmAndHintsWhereTheGuestShowsTheDisk() {
    List<String> shown = new CopyOnWriteArrayList<>();
    standIn.onAttach(shown::add);
    DiskProvisioner provisioner = provisioner();
    Disk disk = provisioner.create(request("m-2"));

    Attachment attachment = provisioner.attach(disk.id());

    String serial = disk.id().substring("d-".length());
    assertThat(attachment.deviceHints())
        .containsExactly(
            new DeviceHint(DeviceHint.DEVICE_PATH, "/dev/disk/by-id/virtio-" + serial),
            new DeviceHint(
                DeviceHint.DEVICE_PATH,
                "/dev/disk/by-id/nvme-Alibaba_Cloud_Elastic_Block_Storage_" + serial),
            new DeviceHint(DeviceHint.BY_ID_SUFFIX, serial),
            new DeviceHint(DeviceHint.DEVICE_PATH, "/dev/xvdb"),
            new DeviceHint(DeviceHint.DEVICE_PATH, "/dev/vdb"));
    assertThat(shown).containsExactly(attachment.deviceHints().get(0).value());
    assertThat(standIn.calls("AttachDisk"))
        .singleElement()
        .satisfies(
            call ->
                assertThat(call)
                    .containsEntry("InstanceId", AlibabaStandIn.VM_ID)
                    .containsEntry("DiskId", disk.id()));
    assertThat(standIn.diskStatuses()).containsEntry(disk.id(), "In_use");
  }

  @Test
  void detachAndDeleteNameTheVmAndTheDisk() {
    DiskProvisioner provisioner = provisioner();
    Disk disk = provisioner.create(request("m-3"));
    provisioner.attach(disk.id());

    provisioner.detach(disk.id());
    assertThat(standIn.calls("DetachDisk"))
        .singleElement()
        .satisfies(
            call ->
                assertThat(call)
                    .containsEntry("InstanceId", AlibabaStandIn.VM_ID)
                    .containsEntry("DiskId", disk.id()));
    assertThat(standIn.diskStatuses()).containsEntry(disk.id(), "Available");

    provisioner.delete(disk.id());
    assertThat(standIn.calls("DeleteDisk"))
        .singleElement()
        .satisfies(call -> assertThat(call).containsEntry("DiskId", disk.id()));
    assertThat(standIn.diskStatuses()).isEmpty();
  }

  @Test
  void createRetriedAfterALostAnswerMakesNoSecondDisk() {
    DiskProvisioner provisioner = provisioner();
    standIn.loseNextAnswer("CreateDisk");
    assertThatThrownBy(() -> provisioner.create(request("m-4")))
        .isInstanceOf(TransientIaasException.class);
    assertThat(standIn.diskStatuses()).hasSize(1);

    Disk disk = provisioner.create(request("m-4"));

    assertThat(standIn.diskStatuses()).containsOnlyKeys(disk.id());
    assertThat(standIn.calls("CreateDisk"))
        .hasSize(2)
        .extracting(call -> call.get("ClientToken"))
        .containsOnly(AlibabaDiskProvisioner.clientToken("m-4"));
  }

  @Test
  void anAttachThatNeverCompletesTimesOutNamingOperationTimeoutAndCanBeResumed() {
    DiskProvisioner impatient = provisioner("operationTimeout", "PT0.3S");
    Disk disk = impatient.create(request("m-5"));
    standIn.holdAttachments(true);

    assertTimeoutPreemptively(
        Duration.ofSeconds(5),
        () ->
            assertThatThrownBy(() -> impatient.attach(disk.id()))
                .isInstanceOf(TransientIaasException.class)
                .hasMessageContaining("agent.iaasSettings.operationTimeout")
                .hasMessageContaining(disk.id()));
    assertThat(standIn.diskStatuses()).containsEntry(disk.id(), "Attaching");

    standIn.holdAttachments(false);
    assertThat(provisioner().attach(disk.id()).diskId()).isEqualTo(disk.id());
    assertThat(standIn.calls("AttachDisk")).hasSize(1);
  }

  @Test
  void listByTagsFiltersOnTheServer() {
    DiskProvisioner provisioner = provisioner();
    Disk disk = provisioner.create(request("m-6"));
    provisioner.create(request("m-7"));

    List<Disk> listed =
        provisioner.listByTags(
            Map.of(DiskTags.MIGRATION_ID, "migration-m-6", DiskTags.ATTEMPT, "1"));

    assertThat(listed).extracting(Disk::id).containsExactly(disk.id());
    assertThat(standIn.calls("DescribeDisks"))
        .last()
        .satisfies(
            call ->
                assertThat(call)
                    .containsEntry("Tag.1.Key", DiskTags.ATTEMPT)
                    .containsEntry("Tag.1.Value", "1")
                    .containsEntry("Tag.2.Key", DiskTags.MIGRATION_ID)
                    .containsEntry("Tag.2.Value", "migration-m-6")
                    .doesNotContainKey("DiskIds"));
  }

  @Test
  void aDenialNamesTheRamActionToGrant() {
    standIn.faults().denyNextCall();
    assertThatThrownBy(() -> provisioner().create(request("m-8")))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("ecs:CreateDisk")
        .hasMessageContaining("RAM policy");
  }

  @Test
  void anExhaustedQuotaNamesWhatToChange() {
    standIn.faults().exceedQuotaOnNextCreate();
    assertThatThrownBy(() -> provisioner().create(request("m-9")))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("QuotaExceed.PostPaidDisk")
        .hasMessageContaining("agent.iaasSettings.diskCategory");
  }

  @Test
  void aZoneEcsDoesNotKnowIsPermanentNamingTheSetting() {
    assertThatThrownBy(() -> provisioner("zoneId", "cn-hangzhou-z").create(request("m-10")))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("InvalidZoneId.NotFound")
        .hasMessageContaining("agent.iaasSettings.zoneId");
    assertThat(standIn.diskStatuses()).isEmpty();
  }

  @Test
  void anUnknownCategoryIsPermanentNamingTheSetting() {
    assertThatThrownBy(() -> provisioner("diskCategory", "cloud_floppy").create(request("m-11")))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("agent.iaasSettings.diskCategory");
  }

  @Test
  void serverErrorsAndBusyDisksAreRetryable() {
    DiskProvisioner provisioner = provisioner();
    standIn.failNextCall("CreateDisk", 503, "ServiceUnavailable", "The request has failed.");
    assertThatThrownBy(() -> provisioner.create(request("m-12")))
        .isInstanceOf(TransientIaasException.class);
    Disk disk = provisioner.create(request("m-12"));

    standIn.failNextCall(
        "AttachDisk", 403, "IncorrectDiskStatus", "The current disk status does not support this.");
    assertThatThrownBy(() -> provisioner.attach(disk.id()))
        .isInstanceOf(TransientIaasException.class);
    provisioner.attach(disk.id());

    assertThatThrownBy(() -> provisioner.delete(disk.id()))
        .isInstanceOf(TransientIaasException.class)
        .hasMessageContaining("IncorrectDiskStatus");
    assertThat(standIn.diskStatuses()).containsEntry(disk.id(), "In_use");
  }

  @Test
  void aDiskThatDoesNotExistCannotBeAttached() {
    assertThatThrownBy(() -> provisioner().attach("d-bp1neverwasmade"))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("d-bp1neverwasmade")
        .hasMessageContaining("no such disk");
    assertThat(standIn.calls("AttachDisk")).isEmpty();
  }

  @Test
  void aDiskAttachedToAnotherInstanceIsNotTakenNorDetached() {
    DiskProvisioner provisioner = provisioner();
    Disk disk = provisioner.create(request("m-13"));
    standIn.attachElsewhere(disk.id(), "i-bp1someoneelse");

    assertThatThrownBy(() -> provisioner.attach(disk.id()))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("i-bp1someoneelse");
    provisioner.detach(disk.id());

    assertThat(standIn.calls("AttachDisk")).isEmpty();
    assertThat(standIn.calls("DetachDisk")).isEmpty();
    assertThat(standIn.diskStatuses()).containsEntry(disk.id(), "In_use");
  }
}
