package io.pgshuttle.iaas.gcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgshuttle.iaas.IaasException;
import io.pgshuttle.iaas.PermanentIaasException;
import io.pgshuttle.iaas.TransientIaasException;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GcpErrorsTest {
  private final GcpConfig config =
      GcpConfig.from(Map.of("project", "proj-1", "zone", "europe-west1-b", "vmId", "pg-0"));
  private final GcpErrors errors = new GcpErrors(config);

  private IaasException translate(int status, String reason, String message) {
    return errors.translate(
        new GcpError(status, reason, message, Optional.empty()), ComputeCall.CREATE_DISK, "d-1");
  }

  @Test
  void throttlingServerErrorsBusyResourcesAndNoAnswerAreTransient() {
    assertThat(translate(429, "rateLimitExceeded", "Rate Limit Exceeded"))
        .isInstanceOf(TransientIaasException.class)
        .hasMessageContaining("throttled");
    assertThat(translate(403, "userRateLimitExceeded", "User Rate Limit Exceeded"))
        .isInstanceOf(TransientIaasException.class);
    assertThat(translate(503, "backendError", "Backend Error"))
        .isInstanceOf(TransientIaasException.class);
    assertThat(translate(400, "resourceNotReady", "The resource is not ready"))
        .isInstanceOf(TransientIaasException.class);
    assertThat(translate(400, "resourceInUseByAnotherResource", "already being used"))
        .isInstanceOf(TransientIaasException.class);
    assertThat(translate(503, "ZONE_RESOURCE_POOL_EXHAUSTED", "does not have enough resources"))
        .isInstanceOf(TransientIaasException.class)
        .hasMessageContaining("capacity");
    assertThat(translate(GcpError.NO_RESPONSE, "UNKNOWN", "Connection reset"))
        .isInstanceOf(TransientIaasException.class)
        .hasMessageContaining("no answer");
  }

  @Test
  void permissionQuotaAndCredentialsArePermanentAndSayWhatToDo() {
    assertThat(translate(403, "forbidden", "Required 'compute.disks.create' permission"))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("compute.disks.create and compute.disks.setLabels")
        .hasMessageContaining("proj-1");
    assertThat(translate(403, "QUOTA_EXCEEDED", "Quota 'SSD_TOTAL_GB' exceeded."))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("SSD_TOTAL_GB")
        .hasMessageContaining("raise the quota");
    assertThat(translate(403, "quotaExceeded", "Quota exceeded"))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("raise the quota");
    assertThat(translate(401, "authError", "Invalid Credentials"))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("service account");
  }

  @Test
  void wrongSettingsAreNamed() {
    assertThat(translate(400, "invalid", "Invalid value for field 'zone': 'x'. Unknown zone."))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("agent.iaasSettings.zone");
    assertThat(translate(404, "notFound", "The resource 'projects/proj-1' was not found"))
        .hasMessageContaining("agent.iaasSettings.project");
    assertThat(
            translate(
                404,
                "notFound",
                "The resource 'projects/proj-1/zones/europe-west1-b/instances/pg-0' was not found"))
        .hasMessageContaining("agent.iaasSettings.vmId");
    assertThat(translate(400, "invalid", "Invalid value for field 'resource.type': 'pd-x'."))
        .hasMessageContaining("agent.iaasSettings.diskType");
  }

  @Test
  void onlyAMissingTargetCountsAsGone() {
    assertThat(
            errors.targetGone(
                new GcpError(
                    404,
                    "notFound",
                    "The resource 'projects/proj-1/zones/europe-west1-b/disks/d-1' was not found",
                    Optional.empty())))
        .isTrue();
    assertThat(
            errors.targetGone(
                new GcpError(
                    404,
                    "notFound",
                    "The resource 'projects/proj-1/zones/europe-west1-b' was not found",
                    Optional.empty())))
        .isFalse();
    assertThat(
            errors.targetGone(
                new GcpError(
                    404,
                    "notFound",
                    "The resource 'projects/proj-1' was not found",
                    Optional.empty())))
        .isFalse();
    assertThat(errors.targetGone(new GcpError(400, "invalid", "Unknown zone.", Optional.empty())))
        .isFalse();
  }
}
