package io.pgshuttle.iaas.azure;

import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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
import io.pgshuttle.iaas.PermanentIaasException;
import io.pgshuttle.iaas.TransientIaasException;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract suite through the real SDK against the stand-in, plus what went over the wire and
 * what only Azure does: LUNs, long-running operations, its errors.
 */
class AzureDiskProvisionerIT extends DiskProvisionerContract {
  private static final String DISK_PATH = ".*/providers/Microsoft.Compute/disks/[^/]+";
  private static final String PERSISTENT_DISK =
      "/subscriptions/"
          + AzureStandIn.SUBSCRIPTION
          + "/resourceGroups/RG-PGSHUTTLE-VMS/providers/Microsoft.Compute/disks/pg-0-persistent";

  private final ObjectMapper json = new ObjectMapper();
  private AzureStandIn azure;

  @BeforeEach
  void startStandIn() {
    azure = new AzureStandIn();
  }

  @AfterEach
  void stopStandIn() {
    azure.close();
  }

  @Override
  protected DiskProvisioner provisioner() {
    return DiskProvisioners.create("azure", azure.settings());
  }

  @Override
  protected Optional<CloudFaults> faults() {
    return Optional.of(azure.faults());
  }

  @Test
  void createPutsADiskNamedAfterTheKeyWithZoneTypeSizeAndTags() throws Exception {
    DiskRequest request = request("m-1");
    Disk disk = provisioner().create(request);

    List<LoggedRequest> puts = diskPuts();
    assertThat(puts).hasSize(1);
    String name = disk.id().substring(disk.id().lastIndexOf('/') + 1);
    assertThat(name).matches("pgshuttle-[0-9a-f]{40}");
    assertThat(puts.get(0).getUrl())
        .startsWith(
            "/subscriptions/"
                + AzureStandIn.SUBSCRIPTION
                + "/resourceGroups/"
                + AzureStandIn.DISK_GROUP
                + "/providers/Microsoft.Compute/disks/"
                + name
                + "?api-version=");
    JsonNode body = json.readTree(puts.get(0).getBodyAsString());
    assertThat(body.path("location").asText()).isEqualTo(AzureStandIn.LOCATION);
    assertThat(body.path("zones").toString()).isEqualTo("[\"1\"]");
    assertThat(body.at("/sku/name").asText()).isEqualTo("Premium_LRS");
    assertThat(body.at("/properties/diskSizeGB").asInt()).isEqualTo(2);
    assertThat(body.at("/properties/creationData/createOption").asText()).isEqualTo("Empty");
    assertThat(json.convertValue(body.path("tags"), Map.class)).isEqualTo(request.tags());
    assertThat(azure.server().findAll(getRequestedFor(urlPathMatching(".*/DiskOperations/.*"))))
        .as("the Azure-AsyncOperation is polled until it succeeds")
        .hasSizeGreaterThanOrEqualTo(2);

    assertThat(disk).isEqualTo(new Disk(disk.id(), 2, request.tags(), false));
    assertThat(azure.disks().get(name).at("/properties/provisioningState").asText())
        .isEqualTo("Succeeded");
    assertThat(provisioner().create(request).id())
        .as("another provisioner, as after an agent restart, finds the disk by its key")
        .isEqualTo(disk.id());
    assertThat(diskPuts()).hasSize(1);
  }

  @Test
  void createRetriedAfterALostResponseMakesNoSecondDisk() {
    DiskProvisioner provisioner = provisioner();
    DiskRequest request = request("m-lost");
    azure.dropResponseToNextCreate();
    assertThatThrownBy(() -> provisioner.create(request))
        .isInstanceOf(TransientIaasException.class);

    Disk disk = provisioner.create(request);
    assertThat(azure.diskIds()).containsExactly(disk.id());
    assertThat(diskPuts()).hasSize(1);
    assertThat(
            azure.disks().values().iterator().next().at("/properties/provisioningState").asText())
        .isEqualTo("Succeeded");
  }

  @Test
  void attachUpdatesTheVmAtTheLowestFreeLunAndKeepsItsOtherDisks() throws Exception {
    List<String> devices = new CopyOnWriteArrayList<>();
    azure.onAttach(devices::add);
    DiskProvisioner provisioner = provisioner();
    Disk first = provisioner.create(request("m-a"));
    Disk second = provisioner.create(request("m-b"));

    Attachment attachment = provisioner.attach(first.id());
    assertThat(attachment.deviceHints())
        .containsExactly(
            new DeviceHint(DeviceHint.DEVICE_PATH, "/dev/disk/azure/data/by-lun/1"),
            new DeviceHint(DeviceHint.SCSI_LUN, "1"));
    assertThat(devices).containsExactly("/dev/disk/azure/data/by-lun/1");
    List<LoggedRequest> patches = vmPatches();
    assertThat(patches).hasSize(1);
    JsonNode sent = json.readTree(patches.get(0).getBodyAsString());
    assertThat(luns(sent)).containsExactly(Map.entry(0, PERSISTENT_DISK), Map.entry(1, first.id()));
    JsonNode added = sent.at("/properties/storageProfile/dataDisks/1");
    assertThat(added.path("createOption").asText()).isEqualTo("Attach");
    assertThat(added.path("caching").asText()).isEqualTo("None");
    assertThat(azure.server().findAll(getRequestedFor(urlPathMatching(".*/operations/.*"))))
        .as("the VM update's Azure-AsyncOperation is polled until it succeeds")
        .hasSizeGreaterThanOrEqualTo(2);
    assertThat(azure.disks().get(name(first)).path("managedBy").asText())
        .isEqualTo(AzureStandIn.VM_ID);

    assertThat(provisioner.attach(second.id()).deviceHints().get(1).value()).isEqualTo("2");
    provisioner.detach(first.id());
    Disk third = provisioner.create(request("m-c"));
    assertThat(provisioner.attach(third.id()).deviceHints().get(1).value())
        .as("the LUN the first disk freed")
        .isEqualTo("1");
    assertThat(azure.vmDataDisks()).containsOnlyKeys(0, 1, 2);
    assertThat(azure.vmDataDisks().get(1)).isEqualToIgnoringCase(third.id());
  }

  @Test
  void detachUpdatesTheVmWithoutTheDiskAndKeepsTheOthers() throws Exception {
    DiskProvisioner provisioner = provisioner();
    Disk disk = provisioner.create(request("m-d"));
    provisioner.attach(disk.id());
    provisioner.detach(disk.id());

    List<LoggedRequest> patches = vmPatches();
    assertThat(patches).hasSize(2);
    JsonNode sent = json.readTree(patches.get(1).getBodyAsString());
    assertThat(luns(sent)).containsExactly(Map.entry(0, PERSISTENT_DISK));
    assertThat(azure.vmDataDisks()).containsOnlyKeys(0);
    JsonNode shown = azure.disks().get(name(disk));
    assertThat(shown.has("managedBy")).isFalse();
    assertThat(shown.at("/properties/diskState").asText()).isEqualTo("Unattached");
  }

  @Test
  void anOperationThatNeverEndsIsTransientNamingOperationTimeout() {
    DiskProvisioner provisioner =
        withSetting(AzureDiskProvisionerProvider.OPERATION_TIMEOUT, "PT0.3S");
    azure.hangOperations();
    assertTimeoutPreemptively(
        Duration.ofSeconds(10),
        () ->
            assertThatThrownBy(() -> provisioner.create(request("m-hang")))
                .isInstanceOf(TransientIaasException.class)
                .hasMessageContaining("agent.iaasSettings.operationTimeout")
                .hasMessageContaining("PT0.3S"));
  }

  @Test
  void attachWhileTheVmIsBusyIsTransient() {
    Disk first = provisioner().create(request("m-busy-1"));
    Disk second = provisioner().create(request("m-busy-2"));
    DiskProvisioner provisioner =
        withSetting(AzureDiskProvisionerProvider.OPERATION_TIMEOUT, "PT0.3S");
    azure.hangOperations();
    assertThatThrownBy(() -> provisioner.attach(first.id()))
        .isInstanceOf(TransientIaasException.class)
        .hasMessageContaining("operationTimeout");
    assertThatThrownBy(() -> provisioner.attach(second.id()))
        .isInstanceOf(TransientIaasException.class)
        .hasMessageContaining("OperationNotAllowed")
        .hasMessageContaining("another operation is in progress");
  }

  @Test
  void aFailedOperationIsTranslatedAndChangesNothing() {
    DiskProvisioner provisioner = provisioner();
    Disk disk = provisioner.create(request("m-full"));
    azure.failNextOperation(
        "OperationNotAllowed",
        "The maximum number of data disks allowed to be attached to a VM of this size is 1.");
    assertThatThrownBy(() -> provisioner.attach(disk.id()))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("maximum number of data disks")
        .hasMessageContaining("Detach a data disk");
    assertThat(azure.vmDataDisks()).containsOnlyKeys(0);
    assertThat(provisioner.listByTags(Map.of(DiskTags.MIGRATION_ID, "m-full")))
        .extracting(Disk::attached)
        .containsExactly(false);
  }

  @Test
  void deletingAnAttachedDiskIsTransientUntilItIsDetached() {
    DiskProvisioner provisioner = provisioner();
    Disk disk = provisioner.create(request("m-del"));
    provisioner.attach(disk.id());
    assertThatThrownBy(() -> provisioner.delete(disk.id()))
        .isInstanceOf(TransientIaasException.class)
        .hasMessageContaining("is attached to VM");
    provisioner.detach(disk.id());
    provisioner.delete(disk.id());
    assertThat(azure.diskIds()).isEmpty();
  }

  @Test
  void refusalsOfASettingNameIt() {
    Map<String, String> wrong = new LinkedHashMap<>();
    wrong.put(AzureDiskProvisionerProvider.LOCATION, "marsnorth");
    wrong.put(AzureDiskProvisionerProvider.ZONE, "7");
    wrong.put(AzureDiskProvisionerProvider.DISK_TYPE, "Floppy_LRS");
    wrong.put(AzureDiskProvisionerProvider.RESOURCE_GROUP, "rg-missing");
    wrong.forEach(
        (key, value) ->
            assertThatThrownBy(() -> withSetting(key, value).create(request("m-" + key)))
                .isInstanceOf(PermanentIaasException.class)
                .hasMessageContaining("agent.iaasSettings." + key));
    assertThat(azure.diskIds()).isEmpty();
  }

  @Test
  void anUnknownVmIsPermanentNamingVmId() {
    Disk disk = provisioner().create(request("m-vm"));
    DiskProvisioner elsewhere =
        withSetting(AzureDiskProvisionerProvider.VM_ID, AzureStandIn.VM_ID.replace("pg-0", "pg-9"));
    assertThatThrownBy(() -> elsewhere.attach(disk.id()))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("agent.iaasSettings.vmId");
  }

  @Test
  void aDeniedCallNamesTheRoleActionToGrant() {
    azure.faults().denyNextCall();
    assertThatThrownBy(() -> provisioner().create(request("m-deny")))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("AuthorizationFailed")
        .hasMessageContaining("role action 'Microsoft.Compute/disks/read'");
  }

  private DiskProvisioner withSetting(String key, String value) {
    Map<String, String> settings = new HashMap<>(azure.settings());
    settings.put(key, value);
    return DiskProvisioners.create("azure", settings);
  }

  private List<LoggedRequest> diskPuts() {
    return azure.server().findAll(putRequestedFor(urlPathMatching(DISK_PATH)));
  }

  private List<LoggedRequest> vmPatches() {
    return azure.server().findAll(patchRequestedFor(urlPathEqualTo(AzureStandIn.VM_ID)));
  }

  /** The data disks a VM update sent: LUN to managed disk id. */
  private static Map<Integer, String> luns(JsonNode update) {
    Map<Integer, String> luns = new LinkedHashMap<>();
    update
        .at("/properties/storageProfile/dataDisks")
        .forEach(d -> luns.put(d.path("lun").asInt(), d.at("/managedDisk/id").asText()));
    return luns;
  }

  private static String name(Disk disk) {
    return disk.id().substring(disk.id().lastIndexOf('/') + 1);
  }

  private static DiskRequest request(String migrationId) {
    return new DiskRequest(migrationId + "-1", 2, DiskTags.forAttempt("pg-0", migrationId, 1));
  }
}
