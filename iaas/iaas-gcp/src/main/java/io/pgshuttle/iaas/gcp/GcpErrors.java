package io.pgshuttle.iaas.gcp;

import io.pgshuttle.iaas.IaasException;
import io.pgshuttle.iaas.PermanentIaasException;
import io.pgshuttle.iaas.TransientIaasException;
import java.util.Optional;

/**
 * Translates Compute API errors into pgshuttle's: throttling, server errors and resources in a
 * passing state are transient; authorization, quota and wrong settings (zone, project, vmId,
 * diskType) are permanent, with a message saying what to change. Immutable and thread-safe.
 */
final class GcpErrors {
  private final GcpConfig config;

  GcpErrors(GcpConfig config) {
    this.config = config;
  }

  /**
   * Whether the error says the target itself does not exist (so a detach or delete has nothing to
   * do), rather than that the zone, project or VM is wrong.
   */
  boolean targetGone(GcpError error) {
    return error.notFound() && settingAtFault(error).isEmpty();
  }

  /**
   * The pgshuttle error for {@code error} of {@code call} on {@code target}; the SDK's exception is
   * only its cause.
   */
  IaasException translate(GcpError error, ComputeCall call, String target) {
    Throwable cause = error.cause().orElse(null);
    String what = "GCP could not " + call.action + " " + target + ": " + error.message();
    if (error.httpStatus() == GcpError.NO_RESPONSE) {
      return new TransientIaasException(
          what
              + " (no answer from the Compute API"
              + config.endpoint().map(endpoint -> " at " + endpoint).orElse("")
              + "; try again later)",
          cause);
    }
    if (error.httpStatus() == 429
        || error.is("rateLimitExceeded")
        || error.is("userRateLimitExceeded")
        || error.is("RESOURCE_EXHAUSTED")) {
      return new TransientIaasException(what + " (throttled; try again later)", cause);
    }
    if (error.is("quotaExceeded")) {
      return new PermanentIaasException(
          what
              + " (quota exceeded: raise the quota of project "
              + config.project()
              + " in the region of zone "
              + config.zone()
              + ", or delete disks it no longer needs)",
          cause);
    }
    if (error.is("resourceNotReady") || error.is("resourceInUseByAnotherResource")) {
      return new TransientIaasException(
          what + " (in use or not ready yet; try again later)", cause);
    }
    if (error.is("ZONE_RESOURCE_POOL_EXHAUSTED")
        || error.is("ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS")) {
      return new TransientIaasException(
          what + " (the zone is short of capacity; try again later)", cause);
    }
    if (error.httpStatus() == 401) {
      return new PermanentIaasException(
          what
              + " (GCP refused the credentials: check this VM's service account, or"
              + " GOOGLE_APPLICATION_CREDENTIALS)",
          cause);
    }
    if (error.httpStatus() == 403) {
      return new PermanentIaasException(
          what
              + " (permission denied: grant this VM's service account "
              + call.permission
              + " on project "
              + config.project()
              + ", and the compute or cloud-platform access scope)",
          cause);
    }
    Optional<String> setting = settingAtFault(error);
    if (setting.isPresent()) {
      return new PermanentIaasException(
          what + " (check agent.iaasSettings." + setting.get() + ")", cause);
    }
    if (error.httpStatus() >= 500 || error.httpStatus() == 408 || error.httpStatus() == 499) {
      return new TransientIaasException(what + " (a GCP server error; try again later)", cause);
    }
    return new PermanentIaasException(what, cause);
  }

  /** The setting that an invalid-value or not-found error points at, if any. */
  private Optional<String> settingAtFault(GcpError error) {
    if (error.httpStatus() != 400 && error.httpStatus() != 404) {
      return Optional.empty();
    }
    String message = error.message();
    if (message.contains("'zone'")
        || message.contains("Unknown zone")
        || message.contains("zones/" + config.zone() + "'")) {
      return Optional.of(GcpConfig.ZONE);
    }
    if (message.contains("'projects/" + config.project() + "'") || message.contains("'project'")) {
      return Optional.of(GcpConfig.PROJECT);
    }
    if (message.contains("instances/" + config.vmId() + "'")) {
      return Optional.of(GcpConfig.VM_ID);
    }
    if (message.contains("diskType") || message.contains("'resource.type'")) {
      return Optional.of(GcpConfig.DISK_TYPE);
    }
    return Optional.empty();
  }
}
