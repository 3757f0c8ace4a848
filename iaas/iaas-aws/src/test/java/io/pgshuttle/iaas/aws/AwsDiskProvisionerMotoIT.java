package io.pgshuttle.iaas.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pgshuttle.iaas.Attachment;
import io.pgshuttle.iaas.DeviceHint;
import io.pgshuttle.iaas.Disk;
import io.pgshuttle.iaas.DiskProvisioner;
import io.pgshuttle.iaas.DiskProvisionerContract;
import io.pgshuttle.iaas.DiskProvisioners;
import io.pgshuttle.iaas.DiskRequest;
import io.pgshuttle.iaas.DiskTags;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.InstanceType;

/**
 * The contract suite against {@code moto_server}, a stateful EC2 emulator written independently of
 * this project's stand-in, when it is installed; skipped with the reason printed when it is not.
 * moto cannot inject faults, so the error-translation tests of the contract are skipped here.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AwsDiskProvisionerMotoIT extends DiskProvisionerContract {
  private static final String REGION = "us-east-1";
  private static final String ZONE = "us-east-1a";
  private static final String MOTO_AMI = "ami-12c6146b";

  private MotoServer moto;
  private Map<String, String> settings;

  @BeforeAll
  void startMotoAndLaunchTheVm() throws Exception {
    Optional<Path> executable = MotoServer.onPath();
    if (executable.isEmpty()) {
      System.out.println("AwsDiskProvisionerMotoIT skipped: moto_server is not on the PATH");
    }
    assumeTrue(executable.isPresent(), "moto_server is not on the PATH");
    Optional<MotoServer> started = MotoServer.start(executable.get());
    assumeTrue(started.isPresent(), "moto_server is on the PATH but not installed");
    moto = started.get();
    settings =
        Map.of(
            AwsDiskProvisionerProvider.ENDPOINT,
            moto.endpoint().toString(),
            AwsDiskProvisionerProvider.REGION,
            REGION,
            AwsDiskProvisionerProvider.AVAILABILITY_ZONE,
            ZONE,
            AwsDiskProvisionerProvider.VM_ID,
            launchInstance(),
            AwsDiskProvisionerProvider.POLL_INTERVAL,
            "PT0.05S",
            AwsDiskProvisionerProvider.OPERATION_TIMEOUT,
            "PT30S");
  }

  /** A VPC, a subnet in the zone, and an instance in it, made as an operator would. */
  private String launchInstance() {
    try (Ec2Client ec2 =
        Ec2Client.builder()
            .endpointOverride(moto.endpoint())
            .region(Region.of(REGION))
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
            .httpClient(UrlConnectionHttpClient.create())
            .build()) {
      String vpc = ec2.createVpc(create -> create.cidrBlock("10.0.0.0/16")).vpc().vpcId();
      String subnet =
          ec2.createSubnet(
                  create -> create.vpcId(vpc).cidrBlock("10.0.1.0/24").availabilityZone(ZONE))
              .subnet()
              .subnetId();
      String image = image(ec2);
      return ec2.runInstances(
              run ->
                  run.imageId(image)
                      .instanceType(InstanceType.T3_MICRO)
                      .subnetId(subnet)
                      .minCount(1)
                      .maxCount(1))
          .instances()
          .get(0)
          .instanceId();
    }
  }

  /**
   * One of moto's built-in AMIs: the one its documentation names, else the first it lists (a
   * listing of all of them takes seconds).
   */
  private static String image(Ec2Client ec2) {
    try {
      return ec2.describeImages(describe -> describe.imageIds(MOTO_AMI)).images().get(0).imageId();
    } catch (Ec2Exception e) {
      return ec2.describeImages(describe -> describe.owners("amazon")).images().stream()
          .map(Image::imageId)
          .findFirst()
          .orElseThrow(() -> new IllegalStateException("moto offers no AMI"));
    }
  }

  @AfterAll
  void stopMoto() {
    if (moto != null) {
      moto.close();
    }
  }

  @Override
  protected DiskProvisioner provisioner() {
    return DiskProvisioners.create("aws", settings);
  }

  @Test
  void attachedVolumeShowsOnTheInstanceUnderTheChosenDevice() {
    DiskProvisioner provisioner = provisioner();
    Disk disk =
        provisioner.create(new DiskRequest("moto-device-1", 2, DiskTags.forAttempt("vm", "m", 1)));

    Attachment attachment = provisioner.attach(disk.id());

    assertThat(attachment.deviceHints().get(0))
        .isEqualTo(
            new DeviceHint(
                DeviceHint.DEVICE_PATH,
                "/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_" + disk.id().replace("-", "")));
    assertThat(attachment.deviceHints().get(1).value()).matches("/dev/sd[f-p]");
    provisioner.detach(disk.id());
    provisioner.delete(disk.id());
  }
}
