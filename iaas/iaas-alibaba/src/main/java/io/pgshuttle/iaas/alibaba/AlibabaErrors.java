package io.pgshuttle.iaas.alibaba;

import com.aliyun.credentials.exception.CredentialException;
import com.aliyun.tea.TeaException;
import com.aliyun.tea.TeaUnretryableException;
import io.pgshuttle.iaas.IaasException;
import io.pgshuttle.iaas.PermanentIaasException;
import io.pgshuttle.iaas.TransientIaasException;
import java.util.List;
import java.util.Map;

/**
 * Translates what the ECS SDK throws into the portable errors, with messages that say what to fix:
 * which RAM action to grant, which setting to change. Error codes are ECS's (see its API reference,
 * "Error codes"); the SDK's exception is kept as the cause only. Stateless and thread-safe.
 */
final class AlibabaErrors {
  /** The RAM actions the provider calls; a denial of one names them all, for one policy edit. */
  static final List<String> RAM_ACTIONS =
      List.of(
          "ecs:CreateDisk",
          "ecs:DescribeDisks",
          "ecs:AttachDisk",
          "ecs:DetachDisk",
          "ecs:DeleteDisk");

  private static final String DISK_NOT_FOUND = "InvalidDiskId.NotFound";

  /** A disk or instance in a passing state, or another operation on it under way. */
  private static final List<String> BUSY =
      List.of(
          "IncorrectDiskStatus",
          "IncorrectInstanceStatus",
          "OperationConflict",
          "LastTokenProcessing");

  private static final List<String> SERVER_TROUBLE =
      List.of("ServiceUnavailable", "InternalError", "UnknownError");
  private static final List<String> DENIED = List.of("Forbidden", "NoPermission");
  private static final List<String> BAD_CREDENTIALS =
      List.of(
          "InvalidAccessKeyId",
          "SignatureDoesNotMatch",
          "IncompleteSignature",
          "InvalidSecurityToken",
          "InvalidCredentials");

  private final AlibabaSettings settings;

  AlibabaErrors(AlibabaSettings settings) {
    this.settings = settings;
  }

  /** Whether ECS said the disk does not exist. */
  static boolean diskNotFound(Exception e) {
    return e instanceof TeaException tea && DISK_NOT_FOUND.equals(tea.getCode());
  }

  /**
   * The portable error for a failed call.
   *
   * @param action the ECS API action, such as {@code CreateDisk}
   * @param attempt what was being done, completing "cannot ...", e.g. "attach disk d-1 to i-1"
   */
  IaasException translate(String action, String attempt, Exception e) {
    String cannot = "cannot " + attempt + ": ";
    if (e instanceof CredentialException) {
      return new PermanentIaasException(
          cannot
              + "no Alibaba Cloud credentials ("
              + e.getMessage()
              + "): attach a RAM role to ECS instance "
              + settings.vmId()
              + " or give the agent ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET",
          e);
    }
    if (e instanceof TeaUnretryableException) {
      return new TransientIaasException(
          cannot + "the ECS API of region " + settings.regionId() + " did not answer: " + cause(e),
          e);
    }
    if (!(e instanceof TeaException tea) || tea.getCode() == null || "null".equals(tea.getCode())) {
      return new TransientIaasException(cannot + "unexpected answer from the ECS API: " + e, e);
    }
    String code = tea.getCode();
    int status = tea.getStatusCode() == null ? 0 : tea.getStatusCode();
    String said = " (" + code + ": " + tea.getMessage() + ")";
    if (is(code, "Throttling") || status == 429) {
      return new TransientIaasException(cannot + "ECS throttled the call" + said, e);
    }
    if (is(code, "InvalidSecurityToken.Expired")) {
      return new TransientIaasException(
          cannot + "the STS token of the RAM role expired" + said + "; a fresh one is fetched", e);
    }
    if (is(code, BAD_CREDENTIALS)) {
      return new PermanentIaasException(
          cannot
              + "ECS rejected the credentials"
              + said
              + ": check the RAM role of ECS instance "
              + settings.vmId()
              + " or ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET",
          e);
    }
    if (is(code, DENIED)) {
      return new PermanentIaasException(
          cannot
              + "the RAM identity of the agent may not call "
              + deniedAction(tea, action)
              + said
              + ": allow "
              + String.join(", ", RAM_ACTIONS)
              + " in the RAM policy of the instance's RAM role (or of the user whose AccessKey the"
              + " agent uses)",
          e);
    }
    if (is(code, "QuotaExceed")) {
      return new PermanentIaasException(
          cannot
              + "an Alibaba Cloud quota is exhausted"
              + said
              + ": raise it in the Quota Center, release unused disks, or choose another "
              + AlibabaSettings.key(AlibabaSettings.DISK_CATEGORY),
          e);
    }
    if (is(code, "InvalidDiskSize") || is(code, "InvalidDiskCategory")) {
      return invalidSetting(
          cannot, said, AlibabaSettings.DISK_CATEGORY, settings.diskCategory(), "in this zone", e);
    }
    if (is(code, "InvalidZoneId") || is(code, "Zone")) {
      return invalidSetting(cannot, said, AlibabaSettings.ZONE_ID, settings.zoneId(), "", e);
    }
    if (is(code, "InvalidRegionId")) {
      return invalidSetting(cannot, said, AlibabaSettings.REGION_ID, settings.regionId(), "", e);
    }
    if (is(code, "InvalidInstanceId")) {
      return invalidSetting(cannot, said, AlibabaSettings.VM_ID, settings.vmId(), "", e);
    }
    if (is(code, "IdempotentParameterMismatch")) {
      return new PermanentIaasException(
          cannot
              + "a disk was already requested with the same idempotency key and other parameters"
              + said
              + ": a changed request needs a new attempt",
          e);
    }
    if (is(code, BUSY)) {
      return new TransientIaasException(
          cannot + "the disk or instance is busy with another operation" + said, e);
    }
    if (is(code, SERVER_TROUBLE) || status >= 500) {
      return new TransientIaasException(cannot + "ECS had a server error" + said, e);
    }
    if (status >= 400) {
      return new PermanentIaasException(cannot + "ECS refused " + action + said, e);
    }
    return new TransientIaasException(cannot + "ECS answered " + action + said, e);
  }

  private static PermanentIaasException invalidSetting(
      String cannot, String said, String key, String value, String where, Exception e) {
    return new PermanentIaasException(
        cannot
            + "ECS does not accept "
            + key
            + " '"
            + value
            + "'"
            + (where.isEmpty() ? "" : " " + where)
            + said
            + ": correct "
            + AlibabaSettings.key(key),
        e);
  }

  /** The RAM action ECS names in the denial (AccessDeniedDetail), else the one of the call. */
  private static String deniedAction(TeaException e, String action) {
    Map<String, Object> detail = e.getAccessDeniedDetail();
    Object named = detail == null ? null : detail.get("AuthAction");
    return named == null ? "ecs:" + action : named.toString();
  }

  private static String cause(Exception e) {
    return e.getCause() == null ? String.valueOf(e.getMessage()) : e.getCause().toString();
  }

  private static boolean is(String code, List<String> families) {
    return families.stream().anyMatch(family -> is(code, family));
  }

  /** Whether {@code code} is {@code family} or one of its dotted sub-codes. */
  private static boolean is(String code, String family) {
    return code.equals(family) || code.startsWith(family + ".");
  }
}
