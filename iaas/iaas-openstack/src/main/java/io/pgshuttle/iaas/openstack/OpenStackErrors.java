package io.pgshuttle.iaas.openstack;

import io.pgshuttle.iaas.IaasException;
import io.pgshuttle.iaas.PermanentIaasException;
import io.pgshuttle.iaas.TransientIaasException;
import java.util.Locale;
import org.openstack4j.api.exceptions.RegionEndpointNotFoundException;
import org.openstack4j.api.exceptions.ResponseException;
import org.openstack4j.model.common.ActionResponse;

/**
 * Translates what Cinder, Nova and Keystone answer into the portable exceptions: rate limits,
 * server errors, unreachable endpoints and volumes in a passing state are transient; refused
 * credentials, policy, quota and invalid settings are permanent, with a message that names what to
 * fix. "Not found" is for the callers to decide (detach and delete treat it as done). The SDK's
 * exception is kept as the cause only. Stateless.
 */
final class OpenStackErrors {
  private OpenStackErrors() {}

  /** One kind of API call: what it does, in words, and the policy rule that allows it. */
  enum Call {
    CREATE_VOLUME("create a Cinder volume", "volume:create"),
    READ_VOLUME("read a Cinder volume", "volume:get"),
    LIST_VOLUMES("list Cinder volumes", "volume:get_all"),
    DELETE_VOLUME("delete a Cinder volume", "volume:delete"),
    ATTACH_VOLUME(
        "attach a volume to this server through Nova",
        "os_compute_api:os-volumes-attachments:create"),
    DETACH_VOLUME(
        "detach a volume from this server through Nova",
        "os_compute_api:os-volumes-attachments:delete");

    private final String action;
    private final String policy;

    Call(String action, String policy) {
      this.action = action;
      this.policy = policy;
    }

    String action() {
      return action;
    }

    String policy() {
      return policy;
    }
  }

  /** The portable form of {@code error}, thrown by openstack4j during {@code call}. */
  static IaasException translate(Call call, String subject, RuntimeException error) {
    if (error instanceof ResponseException response) {
      return classify(call, subject, response.getStatus(), response.getMessage(), error);
    }
    if (error instanceof RegionEndpointNotFoundException) {
      return new PermanentIaasException(
          "Keystone's service catalog has no endpoint to "
              + call.action()
              + " in the configured region ("
              + error.getMessage()
              + "): set agent.iaasSettings.region to a region of the catalog",
          error);
    }
    return new TransientIaasException(
        "cannot " + call.action() + " (" + subject + "): " + error, error);
  }

  /**
   * Throws the portable form of a failed {@code response}; returns if it succeeded.
   *
   * @throws IaasException unless {@code response} succeeded
   */
  static void check(Call call, String subject, ActionResponse response) {
    if (!response.isSuccess()) {
      throw classify(call, subject, response.getCode(), response.getFault(), null);
    }
  }

  /** The portable form of an answer with HTTP {@code status} and the cloud's {@code message}. */
  static IaasException classify(
      Call call, String subject, int status, String message, Throwable cause) {
    String detail = detail(subject, status, message);
    String text = message == null ? "" : message.toLowerCase(Locale.ROOT);
    if (status == 0) {
      return new TransientIaasException(
          "cannot reach OpenStack to "
              + call.action()
              + detail
              + ": check the network and the endpoints in Keystone's service catalog",
          cause);
    }
    if (status == 401) {
      return new PermanentIaasException(
          "OpenStack refused the token to "
              + call.action()
              + detail
              + ": check the OS_* credentials in the agent's environment",
          cause);
    }
    if (status == 403) {
      return new PermanentIaasException(
          "OpenStack's policy does not allow the agent's credentials to "
              + call.action()
              + detail
              + ": grant rule "
              + call.policy()
              + " (the member role on the project does by default)",
          cause);
    }
    if (status == 413 || status == 429) {
      return isQuota(text)
          ? new PermanentIaasException(
              "the project's quota does not allow to "
                  + call.action()
                  + detail
                  + ": raise the Cinder quota (volumes, gigabytes) or delete unused volumes",
              cause)
          : new TransientIaasException(
              "OpenStack is rate-limiting the calls to " + call.action() + detail, cause);
    }
    if (status == 409) {
      return new TransientIaasException(
          "OpenStack cannot " + call.action() + " now, something is in a passing state" + detail,
          cause);
    }
    if (status == 400 || status == 404) {
      return invalidRequest(call, status, detail, text, cause);
    }
    if (status >= 500) {
      return new TransientIaasException(
          "OpenStack failed to " + call.action() + detail + "; it may succeed later", cause);
    }
    return new PermanentIaasException("OpenStack refused to " + call.action() + detail, cause);
  }

  private static IaasException invalidRequest(
      Call call, int status, String detail, String text, Throwable cause) {
    if (text.contains("availability zone")) {
      return new PermanentIaasException(
          "OpenStack does not know the availability zone"
              + detail
              + ": set agent.iaasSettings.availabilityZone to one of `openstack availability zone"
              + " list --volume`",
          cause);
    }
    if (text.contains("volume type") || text.contains("volume_type")) {
      return new PermanentIaasException(
          "OpenStack does not know the volume type"
              + detail
              + ": set agent.iaasSettings.volumeType to one of `openstack volume type list`, or"
              + " leave it out for the default type",
          cause);
    }
    if (status == 404 && (text.contains("instance") || text.contains("server"))) {
      return new PermanentIaasException(
          "Nova does not know this VM's server"
              + detail
              + ": set agent.iaasSettings.vmId to this VM's Nova server id",
          cause);
    }
    if (status == 400 && (text.contains("status must be") || text.contains("invalid volume"))) {
      return new TransientIaasException(
          "OpenStack cannot " + call.action() + " now, the volume is in a passing state" + detail,
          cause);
    }
    return new PermanentIaasException("OpenStack refused to " + call.action() + detail, cause);
  }

  /** What the cloud said, for the message; status 0 means no answer came. */
  private static String detail(String subject, int status, String message) {
    return " (" + subject + (status == 0 ? "" : ", HTTP " + status) + ": " + message + ")";
  }

  private static boolean isQuota(String text) {
    return text.contains("quota") || text.contains("limitexceeded");
  }

  /** The portable form of a failed authentication with {@code credentials}. */
  static IaasException authentication(OpenStackCredentials credentials, RuntimeException error) {
    if (error instanceof ResponseException response) {
      int status = response.getStatus();
      String detail = detail("Keystone", status, response.getMessage());
      if (status == 401 || status == 403) {
        return new PermanentIaasException(
            "Keystone refused "
                + credentials
                + detail
                + ": check "
                + credentials.variablesToCheck(),
            error);
      }
      if (status == 0 || status >= 500 || status == 429) {
        return new TransientIaasException(
            "cannot authenticate with Keystone, " + credentials + detail + ": check OS_AUTH_URL",
            error);
      }
      return new PermanentIaasException(
          "Keystone did not accept the authentication of "
              + credentials
              + detail
              + ": check OS_AUTH_URL and "
              + credentials.variablesToCheck(),
          error);
    }
    return new TransientIaasException(
        "cannot authenticate with Keystone, " + credentials + ": " + error, error);
  }
}
