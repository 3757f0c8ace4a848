package io.pgshuttle.iaas.azure;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.core.management.exception.ManagementError;
import com.azure.core.management.exception.ManagementException;
import io.pgshuttle.iaas.IaasException;
import io.pgshuttle.iaas.PermanentIaasException;
import io.pgshuttle.iaas.TransientIaasException;
import io.pgshuttle.iaas.azure.AzureErrors.Call;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AzureErrorsTest {
  private static final Call CREATE =
      new Call("create disk d in resource group rg", "Microsoft.Compute/disks/write");

  @Test
  void throttlingAndServerErrorsAreTransient() {
    assertThat(operation(429, "TooManyRequests", "The request is being throttled."))
        .isInstanceOf(TransientIaasException.class)
        .hasMessageContaining("throttled");
    assertThat(operation(503, "ServiceUnavailable", "Try again."))
        .isInstanceOf(TransientIaasException.class);
    assertThat(operation(500, "", "")).isInstanceOf(TransientIaasException.class);
  }

  @Test
  void aConflictWithARunningOperationIsTransientButAQuotaIsNot() {
    assertThat(operation(409, "OperationNotAllowed", "Another operation is in progress on VM."))
        .isInstanceOf(TransientIaasException.class);
    assertThat(operation(409, "AttachDiskWhileBeingDetached", "The disk is being detached."))
        .isInstanceOf(TransientIaasException.class);
    assertThat(
            operation(
                409,
                "OperationNotAllowed",
                "Operation results in exceeding approved Total Regional Disks quota."))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("Raise the subscription's quota");
    assertThat(operation(409, "QuotaExceeded", "Exceeded the limit of disks."))
        .isInstanceOf(PermanentIaasException.class);
  }

  @Test
  void aDenialNamesTheRoleActionAzureNamesOrElseTheCallsOwn() {
    assertThat(
            operation(
                403,
                "AuthorizationFailed",
                "The client 'x' does not have authorization to perform action"
                    + " 'Microsoft.Compute/virtualMachines/write' over scope '/subscriptions/s'."))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("role action 'Microsoft.Compute/virtualMachines/write'");
    assertThat(operation(403, "", "Forbidden"))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("role action 'Microsoft.Compute/disks/write'");
    assertThat(operation(401, "InvalidAuthenticationToken", "The token is invalid."))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("managed identity");
  }

  @Test
  void invalidParametersNameTheSettingToFix() {
    assertThat(operation(400, "LocationNotAvailableForResourceType", "Not here."))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("agent.iaasSettings.location");
    assertThat(operation(400, "InvalidParameter", "The value '7' of parameter 'zones' is invalid."))
        .hasMessageContaining("agent.iaasSettings.zone");
    assertThat(operation(400, "InvalidParameter", "The value of parameter 'sku.name' is invalid."))
        .hasMessageContaining("agent.iaasSettings.diskType");
    assertThat(operation(404, "ResourceGroupNotFound", "Resource group 'rg' could not be found."))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("agent.iaasSettings.resourceGroup");
    assertThat(operation(404, "SubscriptionNotFound", "The subscription 's' could not be found."))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("agent.iaasSettings.subscriptionId");
  }

  @Test
  void aFailedOperationsErrorIsReadFromItsStatus() {
    IaasException error =
        AzureErrors.failedOperation(
            200,
            "{\"startTime\":\"2026-11-26T10:00:00Z\",\"status\":\"Failed\",\"name\":\"op\","
                + "\"error\":{\"code\":\"InvalidParameter\",\"message\":\"Bad 'zones'.\"}}",
            CREATE);
    assertThat(error)
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("InvalidParameter: Bad 'zones'.")
        .hasMessageContaining("agent.iaasSettings.zone");
    assertThat(AzureErrors.failedOperation(0, null, CREATE))
        .isInstanceOf(TransientIaasException.class)
        .hasMessageContaining("without saying why");
  }

  @Test
  void sdkExceptionsAreTranslatedAndKeptOnlyAsTheCause() {
    ManagementException notFound =
        new ManagementException(
            "Status code 404", null, new ManagementError("ResourceNotFound", "No disk d."));
    assertThat(AzureErrors.isNotFound(notFound)).isTrue();
    assertThat(AzureErrors.isNotFound(AzureErrors.translate(notFound, CREATE))).isTrue();
    ManagementException busy =
        new ManagementException(
            "Status code 409", null, new ManagementError("OperationNotAllowed", "VM is busy."));
    assertThat(AzureErrors.isNotFound(busy)).isFalse();
    IaasException translated = AzureErrors.translate(busy, CREATE);
    assertThat(translated)
        .isInstanceOf(TransientIaasException.class)
        .hasMessageStartingWith("cannot create disk d in resource group rg: Azure answered")
        .hasCause(busy);

    UncheckedIOException refused = new UncheckedIOException(new ConnectException("refused"));
    assertThat(AzureErrors.translate(refused, CREATE)).isInstanceOf(TransientIaasException.class);
  }

  @Test
  void aTimeoutNamesTheSetting() {
    assertThat(AzureErrors.timeout(CREATE, Duration.ofMinutes(10)))
        .isInstanceOf(TransientIaasException.class)
        .hasMessageContaining("PT10M (agent.iaasSettings.operationTimeout)");
  }

  private static IaasException operation(int status, String code, String message) {
    return AzureErrors.failedOperation(
        status, "{\"error\":{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}}", CREATE);
  }
}
