package io.pgshuttle.iaas.aws;

import io.pgshuttle.iaas.IaasException;
import io.pgshuttle.iaas.PermanentIaasException;
import io.pgshuttle.iaas.TransientIaasException;
import java.util.Locale;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;

/**
 * Translates what the SDK throws into the portable exceptions, with a message that says what to
 * fix: the IAM action to grant, the setting to change, the quota to raise. The SDK exception is
 * kept as the cause only. Stateless.
 */
final class AwsErrors {
  private static final String SETTINGS = "agent.iaasSettings.";
  private static final int MAX_AWS_MESSAGE = 300;

  private static final Set<String> THROTTLING =
      Set.of(
          "RequestLimitExceeded",
          "Throttling",
          "ThrottlingException",
          "RequestThrottled",
          "RequestThrottledException",
          "TooManyRequestsException",
          "EC2ThrottledException");
  private static final Set<String> PASSING_STATE =
      Set.of(
          "IncorrectState",
          "IncorrectInstanceState",
          "InsufficientVolumeCapacity",
          "InternalError",
          "InternalFailure",
          "ServiceUnavailable",
          "Unavailable");
  private static final Set<String> BAD_CREDENTIALS =
      Set.of(
          "AuthFailure",
          "InvalidClientTokenId",
          "SignatureDoesNotMatch",
          "OptInRequired",
          "Blocked",
          "PendingVerification");
  private static final Set<String> QUOTA =
      Set.of(
          "VolumeLimitExceeded",
          "MaxIOPSLimitExceeded",
          "ResourceLimitExceeded",
          "VolumeIOPSLimit");
  private static final Set<String> VOLUME_ABSENT =
      Set.of("InvalidVolume.NotFound", "InvalidVolumeID.Malformed");
  private static final Set<String> INSTANCE_UNKNOWN =
      Set.of("InvalidInstanceID.NotFound", "InvalidInstanceID.Malformed");
  private static final Set<String> ZONE_UNKNOWN =
      Set.of("InvalidZone.NotFound", "InvalidAvailabilityZone");
  private static final Set<String> ALREADY_DETACHED =
      Set.of("IncorrectState", "InvalidAttachment.NotFound");

  private AwsErrors() {}

  /** Whether the error says the volume does not exist (or cannot, its id being malformed). */
  static boolean isVolumeAbsent(SdkException error) {
    return VOLUME_ABSENT.contains(code(error));
  }

  /** Whether a DetachVolume error may only mean the volume is not attached any more. */
  static boolean mayBeDetachedAlready(SdkException error) {
    return ALREADY_DETACHED.contains(code(error));
  }

  /**
   * The portable form of {@code error}, thrown by EC2 action {@code action} (such as {@code
   * CreateVolume}).
   */
  static IaasException translate(String action, SdkException error) {
    if (!(error instanceof SdkServiceException service)) {
      return clientSide(action, error);
    }
    String code = code(error);
    String what =
        "EC2 "
            + action
            + " failed ("
            + (code.isEmpty() ? "HTTP " + service.statusCode() : code)
            + ": "
            + awsMessage(error)
            + ")";
    if (THROTTLING.contains(code) || service.isThrottlingException()) {
      return new TransientIaasException(what + ": throttled by EC2, try again later", error);
    }
    if ("VolumeInUse".equals(code)) {
      return new TransientIaasException(
          what + ": the volume is attached; detach it first or wait for its detachment", error);
    }
    if (PASSING_STATE.contains(code) || service.statusCode() >= 500) {
      return new TransientIaasException(what + ": try again later", error);
    }
    // The JDK's HTTP client drops the body of a 401 answer to a POST: only the status is left.
    boolean statusOnly = code.isEmpty();
    if ("UnauthorizedOperation".equals(code)
        || "AccessDenied".equals(code)
        || (statusOnly && service.statusCode() == 403)) {
      return new PermanentIaasException(
          what + ": grant " + iamActions(action) + " to the VM's instance profile role", error);
    }
    if (BAD_CREDENTIALS.contains(code) || (statusOnly && service.statusCode() == 401)) {
      return new PermanentIaasException(
          what
              + ": the AWS credentials the SDK found are not accepted; give the VM an instance"
              + " profile or fix the credentials of its environment or profile",
          error);
    }
    if (QUOTA.contains(code)) {
      return new PermanentIaasException(
          what
              + ": the account's EBS quota is exhausted; delete unused volumes or ask for a"
              + " higher quota in Service Quotas",
          error);
    }
    if (ZONE_UNKNOWN.contains(code)) {
      return new PermanentIaasException(
          what + ": set " + SETTINGS + "availabilityZone to the VM's zone", error);
    }
    if ("InvalidVolume.ZoneMismatch".equals(code)) {
      return new PermanentIaasException(
          what
              + ": volumes are made in "
              + SETTINGS
              + "availabilityZone, which must be the zone of the VM named by "
              + SETTINGS
              + "vmId",
          error);
    }
    if (INSTANCE_UNKNOWN.contains(code)) {
      return new PermanentIaasException(
          what + ": set " + SETTINGS + "vmId to this VM's EC2 instance id", error);
    }
    if (VOLUME_ABSENT.contains(code)) {
      return new PermanentIaasException(what + ": the volume does not exist", error);
    }
    if ("IdempotentParameterMismatch".equals(code)) {
      return new PermanentIaasException(
          what
              + ": a volume was already created with this idempotency key and other size, type"
              + " or encryption; use a new key",
          error);
    }
    if (code.startsWith("InvalidKmsKey") || code.startsWith("KMS.")) {
      return new PermanentIaasException(
          what + ": set " + SETTINGS + "kmsKeyId to a usable KMS key, or unset it", error);
    }
    if (awsMessage(error).contains("already in use")) {
      // Another attach took the device name between our look and our attach.
      return new TransientIaasException(what + ": try again", error);
    }
    if (code.startsWith("InvalidParameter") || code.equals("UnknownVolumeType")) {
      return new PermanentIaasException(what + ": " + settingToCheck(awsMessage(error)), error);
    }
    return new PermanentIaasException(what, error);
  }

  private static IaasException clientSide(String action, SdkException error) {
    String message = String.valueOf(error.getMessage());
    if (message.contains("Unable to load credentials")) {
      return new PermanentIaasException(
          "EC2 "
              + action
              + " needs AWS credentials and the SDK found none: give the VM an instance profile"
              + " (or set the SDK's standard environment variables or profile)",
          error);
    }
    return new TransientIaasException(
        "EC2 " + action + " did not get an answer (" + message + "): try again later", error);
  }

  private static String settingToCheck(String awsMessage) {
    String message = awsMessage.toLowerCase(Locale.ROOT);
    if (message.contains("volumetype") || message.contains("volume type")) {
      return "check " + SETTINGS + "volumeType";
    }
    if (message.contains("kms")) {
      return "check " + SETTINGS + "kmsKeyId";
    }
    if (message.contains("zone")) {
      return "check " + SETTINGS + "availabilityZone";
    }
    if (message.contains("instance")) {
      return "check " + SETTINGS + "vmId";
    }
    return "check "
        + SETTINGS
        + "availabilityZone, "
        + SETTINGS
        + "volumeType and "
        + SETTINGS
        + "kmsKeyId";
  }

  private static String iamActions(String action) {
    // Tagging at creation is authorized separately from the creation itself.
    return "CreateVolume".equals(action) ? "ec2:CreateVolume and ec2:CreateTags" : "ec2:" + action;
  }

  private static String code(SdkException error) {
    if (error instanceof AwsServiceException aws
        && aws.awsErrorDetails() != null
        && aws.awsErrorDetails().errorCode() != null) {
      return aws.awsErrorDetails().errorCode();
    }
    return "";
  }

  private static String awsMessage(SdkException error) {
    String message =
        error instanceof AwsServiceException aws
                && aws.awsErrorDetails() != null
                && aws.awsErrorDetails().errorMessage() != null
            ? aws.awsErrorDetails().errorMessage()
            : String.valueOf(error.getMessage());
    return message.length() > MAX_AWS_MESSAGE
        ? message.substring(0, MAX_AWS_MESSAGE) + "…"
        : message;
  }
}
