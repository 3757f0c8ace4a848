package io.pgshuttle.iaas.aws;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgshuttle.iaas.IaasException;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;

/** The translation table of EC2 error codes, on exceptions built as the SDK builds them. */
class AwsErrorsTest {

  private static Ec2Exception ec2Error(int status, String code, String message) {
    return (Ec2Exception)
        Ec2Exception.builder()
            .statusCode(status)
            .awsErrorDetails(
                AwsErrorDetails.builder()
                    .serviceName("Ec2")
                    .errorCode(code)
                    .errorMessage(message)
                    .build())
            .build();
  }

  @ParameterizedTest(name = "{1} from {0} is retryable: {3}")
  @CsvSource(
      delimiter = '|',
      value = {
        "CreateVolume | RequestLimitExceeded | 503 | true | throttled",
        "DescribeVolumes | Throttling | 400 | true | throttled",
        "AttachVolume | IncorrectState | 400 | true | try again later",
        "DeleteVolume | VolumeInUse | 400 | true | detach it first",
        "CreateVolume | InternalError | 500 | true | try again later",
        "CreateVolume | SomethingNew | 502 | true | try again later",
        "AttachVolume | UnauthorizedOperation | 403 | false | grant ec2:AttachVolume to",
        "CreateVolume | UnauthorizedOperation | 403 | false | ec2:CreateVolume and ec2:CreateTags",
        "CreateVolume | AuthFailure | 401 | false | credentials",
        "CreateVolume | VolumeLimitExceeded | 400 | false | quota",
        "CreateVolume | MaxIOPSLimitExceeded | 400 | false | quota",
        "CreateVolume | InvalidZone.NotFound | 400 | false | agent.iaasSettings.availabilityZone",
        "AttachVolume | InvalidVolume.ZoneMismatch | 400 | false | agent.iaasSettings.vmId",
        "AttachVolume | InvalidInstanceID.NotFound | 400 | false | agent.iaasSettings.vmId",
        "CreateVolume | InvalidKmsKey.Malformed | 400 | false | agent.iaasSettings.kmsKeyId",
        "CreateVolume | IdempotentParameterMismatch | 400 | false | use a new key",
        "AttachVolume | InvalidVolume.NotFound | 400 | false | does not exist",
      })
  void serviceErrors(String action, String code, int status, boolean retryable, String advice) {
    IaasException error =
        AwsErrors.translate(action, ec2Error(status, code, "what EC2 said about it"));

    assertThat(error.retryable()).isEqualTo(retryable);
    assertThat(error)
        .hasMessageContaining("EC2 " + action)
        .hasMessageContaining(code)
        .hasMessageContaining("what EC2 said about it")
        .hasMessageContaining(advice);
    assertThat(error.getCause()).isInstanceOf(Ec2Exception.class);
  }

  @ParameterizedTest(name = "InvalidParameterValue saying \"{0}\" names {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "Value (gp9) for parameter volumeType is invalid. | agent.iaasSettings.volumeType",
        "The zone 'us-east-1z' is not valid | agent.iaasSettings.availabilityZone",
        "Invalid KMS key arn:aws:kms:x | agent.iaasSettings.kmsKeyId",
        "Value (x) for parameter size is invalid. | agent.iaasSettings.availabilityZone,",
      })
  void invalidParametersNameTheSettingToCheck(String awsMessage, String setting) {
    IaasException error =
        AwsErrors.translate("CreateVolume", ec2Error(400, "InvalidParameterValue", awsMessage));

    assertThat(error.retryable()).isFalse();
    assertThat(error).hasMessageContaining(setting);
  }

  @Test
  void deviceNameTakenMeanwhileIsRetryable() {
    IaasException error =
        AwsErrors.translate(
            "AttachVolume",
            ec2Error(
                400,
                "InvalidParameterValue",
                "Invalid value '/dev/sdg' for unixDevice. Attachment point /dev/sdg is already"
                    + " in use"));

    assertThat(error.retryable()).isTrue();
  }

  @ParameterizedTest(name = "HTTP {0} without a body: {1}")
  @CsvSource({"401, credentials", "403, grant ec2:DeleteVolume"})
  void authorizationStatusWithoutABodyIsPermanent(int status, String advice) {
    IaasException error =
        AwsErrors.translate(
            "DeleteVolume", (Ec2Exception) Ec2Exception.builder().statusCode(status).build());

    assertThat(error.retryable()).isFalse();
    assertThat(error).hasMessageContaining("HTTP " + status).hasMessageContaining(advice);
  }

  @Test
  void noCredentialsIsPermanentAndSaysWhereTheyComeFrom() {
    IaasException error =
        AwsErrors.translate(
            "CreateVolume",
            SdkClientException.create(
                "Unable to load credentials from any of the providers in the chain"));

    assertThat(error.retryable()).isFalse();
    assertThat(error).hasMessageContaining("instance profile");
  }

  @Test
  void noAnswerIsRetryable() {
    IaasException error =
        AwsErrors.translate(
            "DescribeVolumes",
            SdkClientException.create(
                "Unable to execute HTTP request: Connection reset", new IOException("reset")));

    assertThat(error.retryable()).isTrue();
    assertThat(error).hasMessageContaining("Connection reset");
  }

  @Test
  void longAwsMessagesAreShortened() {
    IaasException error =
        AwsErrors.translate(
            "CreateVolume", ec2Error(403, "UnauthorizedOperation", "x".repeat(5_000)));

    assertThat(error.getMessage()).hasSizeLessThan(600);
  }

  @Test
  void absentVolumesAreRecognised() {
    assertThat(AwsErrors.isVolumeAbsent(ec2Error(400, "InvalidVolume.NotFound", "gone"))).isTrue();
    assertThat(AwsErrors.isVolumeAbsent(ec2Error(400, "InvalidVolumeID.Malformed", "bad")))
        .isTrue();
    assertThat(AwsErrors.isVolumeAbsent(ec2Error(400, "IncorrectState", "busy"))).isFalse();
    assertThat(AwsErrors.isVolumeAbsent(SdkClientException.create("no answer"))).isFalse();
  }
}
