package io.pgshuttle.iaas.openstack;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgshuttle.iaas.IaasException;
import io.pgshuttle.iaas.PermanentIaasException;
import io.pgshuttle.iaas.TransientIaasException;
import io.pgshuttle.iaas.openstack.OpenStackErrors.Call;
import org.junit.jupiter.api.Test;
import org.openstack4j.api.exceptions.ClientResponseException;
import org.openstack4j.api.exceptions.ConnectionException;
import org.openstack4j.api.exceptions.RegionEndpointNotFoundException;
import org.openstack4j.api.exceptions.ServerResponseException;
import org.openstack4j.model.common.ActionResponse;

/** The translation of OpenStack's answers, with the messages its services really send. */
class OpenStackErrorsTest {

  private static IaasException create(int status, String message) {
    return OpenStackErrors.translate(
        Call.CREATE_VOLUME, "key k", new ClientResponseException(message, status));
  }

  @Test
  void quotaIsPermanentWhileARateLimitIsTransient() {
    assertThat(
            create(
                413,
                "VolumeLimitExceeded: Maximum number of volumes allowed (10) exceeded for quota"
                    + " 'volumes'."))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("raise the Cinder quota");
    assertThat(
            create(
                413,
                "VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed"
                    + " gigabytes quota."))
        .isInstanceOf(PermanentIaasException.class);
    assertThat(create(413, "This request was rate-limited."))
        .isInstanceOf(TransientIaasException.class);
    assertThat(create(429, "This request was rate-limited."))
        .isInstanceOf(TransientIaasException.class)
        .hasMessageContaining("rate-limiting");
  }

  @Test
  void refusalsArePermanentAndNameThePolicyRule() {
    assertThat(create(403, "Policy doesn't allow volume:create to be performed."))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("grant rule volume:create");
    assertThat(
            OpenStackErrors.translate(
                Call.ATTACH_VOLUME, "volume v", new ClientResponseException("Forbidden", 403)))
        .hasMessageContaining("os_compute_api:os-volumes-attachments:create");
    assertThat(create(401, "The request you have made requires authentication."))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("OS_* credentials");
  }

  @Test
  void passingStatesServerErrorsAndLostConnectionsAreTransient() {
    assertThat(create(409, "Cannot 'attach_volume' instance while it is in task_state"))
        .isInstanceOf(TransientIaasException.class);
    assertThat(
            OpenStackErrors.translate(
                Call.DELETE_VOLUME,
                "volume v",
                new ClientResponseException(
                    "Invalid volume: Volume status must be available or error", 400)))
        .isInstanceOf(TransientIaasException.class);
    assertThat(
            OpenStackErrors.translate(
                Call.READ_VOLUME, "volume v", new ServerResponseException("Bad Gateway", 502)))
        .isInstanceOf(TransientIaasException.class);
    assertThat(
            OpenStackErrors.translate(
                Call.READ_VOLUME,
                "volume v",
                new ConnectionException("Connection refused", 0, null)))
        .isInstanceOf(TransientIaasException.class)
        .hasMessageContaining("cannot reach OpenStack")
        .hasMessageNotContaining("HTTP 0");
  }

  @Test
  void rejectedSettingsAreNamed() {
    assertThat(create(400, "Availability zone 'az-9' is invalid."))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("agent.iaasSettings.availabilityZone");
    assertThat(create(404, "Volume type with name gold could not be found."))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("agent.iaasSettings.volumeType");
    assertThat(
            OpenStackErrors.translate(
                Call.ATTACH_VOLUME,
                "volume v",
                new ClientResponseException("Instance x could not be found.", 404)))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("agent.iaasSettings.vmId");
    assertThat(
            OpenStackErrors.translate(
                Call.LIST_VOLUMES,
                "all",
                RegionEndpointNotFoundException.create("RegionTwo", "cinder")))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("agent.iaasSettings.region");
  }

  @Test
  void aFailedActionResponseIsTranslatedAndASuccessfulOnePasses() {
    OpenStackErrors.check(Call.DELETE_VOLUME, "volume v", ActionResponse.actionSuccess(202));
    try {
      OpenStackErrors.check(
          Call.DELETE_VOLUME,
          "volume v",
          ActionResponse.actionFailed("Policy doesn't allow volume:delete to be performed.", 403));
    } catch (PermanentIaasException expected) {
      assertThat(expected).hasMessageContaining("grant rule volume:delete");
      return;
    }
    throw new AssertionError("a failed response must throw");
  }

  @Test
  void theCauseIsKeptButNoSdkTypeIsThrown() {
    ClientResponseException cause = new ClientResponseException("Forbidden", 403);
    IaasException error = OpenStackErrors.translate(Call.CREATE_VOLUME, "key k", cause);
    assertThat(error.getCause()).isSameAs(cause);
  }
}
