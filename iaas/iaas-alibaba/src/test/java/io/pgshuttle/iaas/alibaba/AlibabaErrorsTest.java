package io.pgshuttle.iaas.alibaba;

import static org.assertj.core.api.Assertions.assertThat;

import com.aliyun.credentials.exception.CredentialException;
import com.aliyun.tea.TeaException;
import com.aliyun.tea.TeaUnretryableException;
import io.pgshuttle.iaas.IaasException;
import io.pgshuttle.iaas.PermanentIaasException;
import io.pgshuttle.iaas.TransientIaasException;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** ECS error codes become retryable or permanent errors that say what to fix. */
class AlibabaErrorsTest {
  private final AlibabaErrors errors =
      new AlibabaErrors(
          new AlibabaSettings(
              "i-vm",
              "cn-hangzhou",
              "cn-hangzhou-k",
              "cloud_essd",
              Duration.ofMinutes(10),
              Duration.ofSeconds(2),
              Optional.empty()));

  /** What the SDK throws for an error answer: code, message, and the HTTP status in data. */
  private static TeaException ecsError(int status, String code, Map<String, Object> denied) {
    Map<String, Object> error = new HashMap<>();
    error.put("code", code);
    error.put("message", "code: " + status + ", said by ECS request id: 1");
    error.put("data", new HashMap<>(Map.of("statusCode", status, "Code", code)));
    if (denied != null) {
      error.put("accessDeniedDetail", denied);
    }
    return new TeaException(error);
  }

  private IaasException translate(int status, String code) {
    return errors.translate("CreateDisk", "create a disk", ecsError(status, code, null));
  }

  @ParameterizedTest
  @CsvSource({
    "400, Throttling.User",
    "400, Throttling",
    "503, ServiceUnavailable",
    "500, InternalError",
    "502, SomethingNew",
    "403, IncorrectDiskStatus",
    "403, IncorrectDiskStatus.Initializing",
    "403, IncorrectInstanceStatus",
    "409, OperationConflict",
    "400, LastTokenProcessing",
    "400, InvalidSecurityToken.Expired"
  })
  void passingTroubleIsRetryable(int status, String code) {
    IaasException error = translate(status, code);
    assertThat(error).isInstanceOf(TransientIaasException.class).hasMessageContaining(code);
  }

  @ParameterizedTest
  @CsvSource({
    "403, Forbidden.RAM, ecs:CreateDisk",
    "403, NoPermission, ecs:CreateDisk",
    "404, InvalidAccessKeyId.NotFound, ALIBABA_CLOUD_ACCESS_KEY_ID",
    "400, SignatureDoesNotMatch, RAM role",
    "403, QuotaExceed.PostPaidDisk, agent.iaasSettings.diskCategory",
    "400, InvalidDiskSize.ValueNotSupported, agent.iaasSettings.diskCategory",
    "400, InvalidDiskCategory.NotSupported, agent.iaasSettings.diskCategory",
    "404, InvalidZoneId.NotFound, agent.iaasSettings.zoneId",
    "403, Zone.NotOnSale, agent.iaasSettings.zoneId",
    "404, InvalidRegionId.NotFound, agent.iaasSettings.regionId",
    "404, InvalidInstanceId.NotFound, agent.iaasSettings.vmId",
    "400, IdempotentParameterMismatch, new attempt",
    "400, InvalidParameter, CreateDisk"
  })
  void configurationTroubleIsPermanentAndSaysWhatToFix(int status, String code, String fix) {
    IaasException error = translate(status, code);
    assertThat(error)
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageStartingWith("cannot create a disk: ")
        .hasMessageContaining(code)
        .hasMessageContaining(fix);
  }

  @Test
  void aDenialNamesTheActionEcsNamesAndEveryActionToAllow() {
    IaasException error =
        errors.translate(
            "DescribeDisks",
            "look up a disk",
            ecsError(403, "Forbidden.RAM", Map.of("AuthAction", "ecs:DescribeDisks")));
    assertThat(error)
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("may not call ecs:DescribeDisks")
        .hasMessageContaining(String.join(", ", AlibabaErrors.RAM_ACTIONS));
  }

  @Test
  void missingCredentialsArePermanentAndSayWhereTheyComeFrom() {
    IaasException error =
        errors.translate(
            "CreateDisk",
            "create a disk",
            new CredentialException("Unable to load credentials from any of the providers"));
    assertThat(error)
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("RAM role to ECS instance i-vm")
        .hasMessageContaining("ALIBABA_CLOUD_ACCESS_KEY_ID");
  }

  @Test
  void anUnreachableApiIsRetryable() {
    IaasException error =
        errors.translate(
            "AttachDisk",
            "attach a disk",
            new TeaUnretryableException(new IOException("Connection reset")));
    assertThat(error)
        .isInstanceOf(TransientIaasException.class)
        .hasMessageContaining("cn-hangzhou")
        .hasMessageContaining("Connection reset");
  }

  @Test
  void theSdkExceptionIsOnlyTheCause() {
    TeaException thrown = ecsError(403, "Forbidden.RAM", null);
    IaasException error = errors.translate("CreateDisk", "create a disk", thrown);
    assertThat(error.getCause()).isSameAs(thrown);
    assertThat(error.getClass().getPackageName()).isEqualTo("io.pgshuttle.iaas");
  }

  @Test
  void onlyAMissingDiskCountsAsGone() {
    assertThat(AlibabaErrors.diskNotFound(ecsError(404, "InvalidDiskId.NotFound", null))).isTrue();
    assertThat(AlibabaErrors.diskNotFound(ecsError(404, "InvalidInstanceId.NotFound", null)))
        .isFalse();
    assertThat(AlibabaErrors.diskNotFound(new IllegalStateException("InvalidDiskId.NotFound")))
        .isFalse();
  }
}
