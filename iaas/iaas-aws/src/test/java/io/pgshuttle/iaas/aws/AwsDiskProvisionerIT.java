package io.pgshuttle.iaas.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.pgshuttle.iaas.Attachment;
import io.pgshuttle.iaas.CloudStandIn;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The contract suite through the real SDK against {@link AwsStandIn}, plus what went over the wire
 * and how EC2's errors and slow operations come out.
 */
class AwsDiskProvisionerIT extends DiskProvisionerContract {
  private static final Duration TEST_TIMEOUT = Duration.ofSeconds(5);

  private AwsStandIn ec2;
  private final List<String> devicesShownByTheKernel = new CopyOnWriteArrayList<>();

  @BeforeEach
  void startStandIn() {
    ec2 = new AwsStandIn();
    ec2.onAttach(devicesShownByTheKernel::add);
  }

  @AfterEach
  void stopStandIn() {
    ec2.close();
  }

  @Override
  protected DiskProvisioner provisioner() {
    return DiskProvisioners.create("aws", ec2.settings());
  }

  @Override
  protected Optional<CloudFaults> faults() {
    return Optional.of(ec2.faults());
  }

  private DiskProvisioner provisioner(String key, String value) {
    Map<String, String> settings = new HashMap<>(ec2.settings());
    settings.put(key, value);
    return DiskProvisioners.create("aws", settings);
  }

  private static DiskRequest request(String migrationId) {
    return new DiskRequest(migrationId + "-1", 3, DiskTags.forAttempt("vm-7", migrationId, 1));
  }

  @Test
  void thisJvmRunsWithTheStandInsEnvironment() {
    assertThat(System.getenv()).containsAllEntriesOf(ec2.environment());
  }

  @Test
  void serviceLoaderStartsTheStandInForTheEndToEndTests() {
    List<CloudStandIn> found = new ArrayList<>();
    ServiceLoader.load(CloudStandIn.class).forEach(found::add);
    try {
      assertThat(found).extracting(CloudStandIn::providerId).containsExactly("aws");
      DiskProvisioner provisioner = DiskProvisioners.create("aws", found.get(0).settings());
      assertThat(provisioner.listByTags(Map.of()))
          .as("the VM's own volumes")
          .extracting(disk -> disk.tags().get("Name"))
          .containsExactly("bosh-root", "bosh-persistent-disk");
      assertThat(found.get(0).diskIds()).isEmpty();
    } finally {
      found.forEach(CloudStandIn::close);
    }
  }

  @Test
  void createSendsZoneSizeTypeTagsAndAClientTokenOfTheKey() {
    Disk disk = provisioner().create(request("m-create"));

    List<Ec2Call> creates = ec2.calls("CreateVolume");
    assertThat(creates).hasSize(1);
    Ec2Call create = creates.get(0);
    assertThat(create.param("Version")).isEqualTo("2016-11-15");
    assertThat(create.param("AvailabilityZone")).isEqualTo(AwsStandIn.ZONE);
    assertThat(create.param("Size")).isEqualTo("3");
    assertThat(create.param("VolumeType")).isEqualTo("gp3");
    assertThat(create.param("Encrypted")).isNull();
    assertThat(create.param("ClientToken")).matches("[0-9a-f]{64}");
    assertThat(create.param("TagSpecification.1.ResourceType")).isEqualTo("volume");
    assertThat(create.tagSpecification())
        .containsAllEntriesOf(DiskTags.forAttempt("vm-7", "m-create", 1))
        .containsEntry("Name", "pgshuttle-m-create-1")
        .containsEntry(AwsDiskProvisioner.IDEMPOTENCY_TAG, create.param("ClientToken"));
    assertThat(create.authorization())
        .startsWith("AWS4-HMAC-SHA256 Credential=" + AwsStandIn.ACCESS_KEY_ID + "/")
        .contains("/" + AwsStandIn.REGION + "/ec2/aws4_request");

    assertThat(disk.sizeGiB()).isEqualTo(3);
    assertThat(disk.attached()).isFalse();
    assertThat(ec2.volumeState(disk.id())).contains("available");
    assertThat(ec2.calls("DescribeVolumes"))
        .filteredOn(call -> disk.id().equals(call.param("VolumeId.1")))
        .as("polled through creating until available")
        .hasSizeGreaterThanOrEqualTo(3);

    provisioner().create(request("m-other"));
    assertThat(ec2.calls("CreateVolume").get(1).param("ClientToken"))
        .isNotEqualTo(create.param("ClientToken"));
  }

  @Test
  void kmsKeyIdEncryptsTheVolumeWithThatKey() {
    provisioner(AwsDiskProvisionerProvider.KMS_KEY_ID, "alias/pgshuttle").create(request("m-kms"));

    Ec2Call create = ec2.calls("CreateVolume").get(0);
    assertThat(create.param("Encrypted")).isEqualTo("true");
    assertThat(create.param("KmsKeyId")).isEqualTo("alias/pgshuttle");
  }

  @Test
  void attachTakesAFreeDeviceNameAndWaitsUntilTheAttachmentIsAttached() {
    DiskProvisioner provisioner = provisioner();
    Disk disk = provisioner.create(request("m-attach"));

    Attachment attachment = provisioner.attach(disk.id());

    Ec2Call attach = ec2.calls("AttachVolume").get(0);
    assertThat(attach.param("VolumeId")).isEqualTo(disk.id());
    assertThat(attach.param("InstanceId")).isEqualTo(AwsStandIn.INSTANCE_ID);
    assertThat(attach.param("Device")).as("/dev/sdf holds the BOSH disk").isEqualTo("/dev/sdg");
    String nvme = "/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_" + disk.id().replace("-", "");
    assertThat(attachment.deviceHints())
        .containsExactly(
            new DeviceHint(DeviceHint.DEVICE_PATH, nvme),
            new DeviceHint(DeviceHint.DEVICE_PATH, "/dev/sdg"),
            new DeviceHint(DeviceHint.DEVICE_PATH, "/dev/xvdg"));
    assertThat(devicesShownByTheKernel).containsExactly(nvme);
    assertThat(ec2.attachmentState(disk.id())).contains("attached");

    Disk second = provisioner.create(request("m-attach-2"));
    provisioner.attach(second.id());
    assertThat(ec2.calls("AttachVolume").get(1).param("Device")).isEqualTo("/dev/sdh");
  }

  @Test
  void attachDoesNotTakeAnInUseVolumeForAnAttachedOne() {
    DiskProvisioner provisioner =
        provisioner(AwsDiskProvisionerProvider.OPERATION_TIMEOUT, "PT0.3S");
    Disk disk = provisioner.create(request("m-stuck"));
    ec2.freezeTransitions();

    IaasException error =
        assertTimeoutPreemptively(
            TEST_TIMEOUT,
            () -> catchIaas(() -> provisioner.attach(disk.id())),
            "attach must give up after operationTimeout");

    assertThat(error)
        .isInstanceOf(TransientIaasException.class)
        .hasMessageContaining("agent.iaasSettings.operationTimeout")
        .hasMessageContaining("attaching");
    assertThat(ec2.volumeState(disk.id())).contains("in-use");
    assertThat(devicesShownByTheKernel).isEmpty();
  }

  @Test
  void createThatNeverFinishesIsATransientTimeout() {
    DiskProvisioner provisioner =
        provisioner(AwsDiskProvisionerProvider.OPERATION_TIMEOUT, "PT0.3S");
    ec2.freezeTransitions();
    long started = System.nanoTime();

    IaasException error =
        assertTimeoutPreemptively(
            TEST_TIMEOUT, () -> catchIaas(() -> provisioner.create(request("m-slow"))));

    assertThat(error)
        .isInstanceOf(TransientIaasException.class)
        .hasMessageContaining("agent.iaasSettings.operationTimeout (PT0.3S)")
        .hasMessageContaining("creating");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThan(Duration.ofMillis(300));
  }

  @Test
  void detachAndDeleteWaitUntilEc2IsDone() {
    DiskProvisioner provisioner = provisioner();
    Disk disk = provisioner.create(request("m-detach"));
    provisioner.attach(disk.id());

    provisioner.detach(disk.id());
    assertThat(ec2.attachmentState(disk.id())).isEmpty();
    assertThat(ec2.volumeState(disk.id())).contains("available");
    Ec2Call detach = ec2.calls("DetachVolume").get(0);
    assertThat(detach.param("VolumeId")).isEqualTo(disk.id());
    assertThat(detach.param("InstanceId")).isEqualTo(AwsStandIn.INSTANCE_ID);

    provisioner.delete(disk.id());
    assertThat(ec2.volumeState(disk.id())).isEmpty();
    provisioner.delete(disk.id());
    assertThat(ec2.calls("DeleteVolume")).hasSize(1);
    assertThat(ec2.diskIds()).isEmpty();
  }

  @Test
  void createRetriedAfterALostResponseFindsTheVolumeByItsTag() {
    DiskProvisioner provisioner = provisioner();
    ec2.loseNextResponseTo("CreateVolume");
    assertThatThrownBy(() -> provisioner.create(request("m-lost")))
        .isInstanceOf(TransientIaasException.class);

    Disk disk = provisioner.create(request("m-lost"));

    assertThat(ec2.volumesTagged(DiskTags.MIGRATION_ID, "m-lost")).containsExactly(disk.id());
    assertThat(ec2.calls("CreateVolume")).hasSize(1);
  }

  @Test
  void createRetriedBeforeTheTagSearchSeesTheVolumeGetsItBackByClientToken() {
    DiskProvisioner provisioner = provisioner();
    ec2.loseNextResponseTo("CreateVolume");
    assertThatThrownBy(() -> provisioner.create(request("m-lagging")))
        .isInstanceOf(TransientIaasException.class);
    ec2.hideVolumesFromNextTagSearch();

    Disk disk = provisioner.create(request("m-lagging"));

    assertThat(ec2.volumesTagged(DiskTags.MIGRATION_ID, "m-lagging")).containsExactly(disk.id());
    List<Ec2Call> creates = ec2.calls("CreateVolume");
    assertThat(creates).hasSize(2);
    assertThat(creates.get(1).param("ClientToken")).isEqualTo(creates.get(0).param("ClientToken"));
  }

  @Test
  void oneThrottledCallIsRetriedByTheSdkWithTheSameClientTokenByDefault() {
    Map<String, String> settings = new HashMap<>(ec2.settings());
    settings.remove(AwsDiskProvisionerProvider.MAX_ATTEMPTS);
    DiskProvisioner provisioner = DiskProvisioners.create("aws", settings);
    ec2.failNextCall("CreateVolume", 503, "RequestLimitExceeded", "Request limit exceeded.");

    Disk disk = provisioner.create(request("m-throttled"));

    assertThat(ec2.volumesTagged(DiskTags.MIGRATION_ID, "m-throttled")).containsExactly(disk.id());
    List<Ec2Call> creates = ec2.calls("CreateVolume");
    assertThat(creates).hasSize(2);
    assertThat(creates.get(1).param("ClientToken")).isEqualTo(creates.get(0).param("ClientToken"));
  }

  @Test
  void listByTagsFiltersOnTheServer() {
    DiskProvisioner provisioner = provisioner();
    Disk wanted = provisioner.create(request("m-wanted"));
    provisioner.create(request("m-unwanted"));

    assertThat(provisioner.listByTags(Map.of(DiskTags.MIGRATION_ID, "m-wanted")))
        .extracting(Disk::id)
        .containsExactly(wanted.id());
    List<Ec2Call> describes = ec2.calls("DescribeVolumes");
    Ec2Call search = describes.get(describes.size() - 1);
    assertThat(search.param("Filter.1.Name")).isEqualTo("tag:" + DiskTags.MIGRATION_ID);
    assertThat(search.param("Filter.1.Value.1")).isEqualTo("m-wanted");
  }

  @ParameterizedTest(name = "{1} on CreateVolume is retryable: {2}")
  @CsvSource({
    "503, RequestLimitExceeded, true, RequestLimitExceeded, throttled",
    "500, InternalError, true, InternalError, try again later",
    "400, InsufficientVolumeCapacity, true, InsufficientVolumeCapacity, try again later",
    "400, MaxIOPSLimitExceeded, false, MaxIOPSLimitExceeded, quota",
    "400, VolumeLimitExceeded, false, VolumeLimitExceeded, quota",
    "403, UnauthorizedOperation, false, UnauthorizedOperation, grant ec2:CreateVolume and"
        + " ec2:CreateTags",
    // The JDK's HTTP client gives no body for a 401: only the status is left to translate.
    "401, AuthFailure, false, HTTP 401, credentials",
  })
  void createErrorsAreTranslated(
      int status, String code, boolean retryable, String cited, String advice) {
    DiskProvisioner provisioner = provisioner();
    ec2.failNextCall("CreateVolume", status, code, "as EC2 says it");

    IaasException error = catchIaas(() -> provisioner.create(request("m-" + code)));

    assertThat(error.retryable()).isEqualTo(retryable);
    assertThat(error).hasMessageContaining(cited).hasMessageContaining(advice);
    assertThat(error.getCause()).isNotNull();
    assertThat(ec2.volumesTagged(DiskTags.MIGRATION_ID, "m-" + code)).isEmpty();
  }

  @Test
  void attachErrorsAreTranslated() {
    DiskProvisioner provisioner = provisioner();
    Disk disk = provisioner.create(request("m-attach-errors"));

    ec2.failNextCall("AttachVolume", 403, "UnauthorizedOperation", "You are not authorized");
    assertThat(catchIaas(() -> provisioner.attach(disk.id())))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("grant ec2:AttachVolume");

    ec2.failNextCall("AttachVolume", 400, "IncorrectState", "vol is in the 'creating' state");
    assertThat(catchIaas(() -> provisioner.attach(disk.id())))
        .isInstanceOf(TransientIaasException.class);

    assertThat(provisioner.attach(disk.id()).diskId()).isEqualTo(disk.id());
  }

  @Test
  void deleteOfAnAttachedVolumeIsRetryableAndSaysToDetach() {
    DiskProvisioner provisioner = provisioner();
    Disk disk = provisioner.create(request("m-in-use"));
    provisioner.attach(disk.id());

    assertThat(catchIaas(() -> provisioner.delete(disk.id())))
        .isInstanceOf(TransientIaasException.class)
        .hasMessageContaining("VolumeInUse")
        .hasMessageContaining("detach it first");
    assertThat(ec2.volumeState(disk.id())).contains("in-use");
  }

  @Test
  void volumeGoneBetweenLookAndActionIsDetachedAndDeleted() {
    DiskProvisioner provisioner = provisioner();
    Disk disk = provisioner.create(request("m-vanishing"));
    provisioner.attach(disk.id());

    ec2.failNextCall("DetachVolume", 400, "InvalidVolume.NotFound", "The volume does not exist.");
    provisioner.detach(disk.id());
    provisioner.detach(disk.id());

    ec2.failNextCall("DeleteVolume", 400, "InvalidVolume.NotFound", "The volume does not exist.");
    provisioner.delete(disk.id());
    assertThat(ec2.calls("DetachVolume")).hasSize(2);
    assertThat(ec2.calls("DeleteVolume")).hasSize(1);
  }

  @Test
  void unknownZoneIsPermanentAndNamesTheSetting() {
    DiskProvisioner provisioner =
        provisioner(AwsDiskProvisionerProvider.AVAILABILITY_ZONE, "us-east-1z");

    assertThat(catchIaas(() -> provisioner.create(request("m-zone"))))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("InvalidZone.NotFound")
        .hasMessageContaining("agent.iaasSettings.availabilityZone");
    assertThat(ec2.volumesTagged(DiskTags.MIGRATION_ID, "m-zone")).isEmpty();
  }

  @Test
  void unknownVolumeTypeIsPermanentAndNamesTheSetting() {
    DiskProvisioner provisioner = provisioner(AwsDiskProvisionerProvider.VOLUME_TYPE, "gp9");

    assertThat(catchIaas(() -> provisioner.create(request("m-type"))))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("InvalidParameterValue")
        .hasMessageContaining("agent.iaasSettings.volumeType");
  }

  @Test
  void volumeInAnotherZoneThanTheVmCannotBeAttached() {
    DiskProvisioner provisioner =
        provisioner(AwsDiskProvisionerProvider.AVAILABILITY_ZONE, "us-east-1b");
    Disk disk = provisioner.create(request("m-far"));

    assertThat(catchIaas(() -> provisioner.attach(disk.id())))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("InvalidVolume.ZoneMismatch")
        .hasMessageContaining("agent.iaasSettings.availabilityZone");
  }

  @Test
  void unknownInstanceIsPermanentAndNamesTheSetting() {
    DiskProvisioner provisioner =
        provisioner(AwsDiskProvisionerProvider.VM_ID, "i-00000000000000dead");
    Disk disk = provisioner.create(request("m-nowhere"));

    assertThat(catchIaas(() -> provisioner.attach(disk.id())))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("InvalidInstanceID.NotFound")
        .hasMessageContaining("agent.iaasSettings.vmId");
    assertThat(ec2.calls("AttachVolume")).isEmpty();
  }

  private static IaasException catchIaas(Runnable call) {
    try {
      call.run();
    } catch (IaasException e) {
      return e;
    }
    throw new AssertionError("expected an IaasException");
  }
}
