package io.pgshuttle.iaas.openstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgshuttle.iaas.DiskProvisionerProvider;
import io.pgshuttle.iaas.PermanentIaasException;
import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** Settings and credentials are checked when the provisioner is made, before any call. */
class OpenStackDiskProvisionerProviderTest {
  private static final Map<String, String> SETTINGS =
      Map.of("vmId", "5c1c0c3e", "availabilityZone", "nova");
  private static final Map<String, String> APPLICATION_CREDENTIAL =
      Map.of(
          "OS_AUTH_URL", "https://keystone.example:5000",
          "OS_APPLICATION_CREDENTIAL_ID", "0f1e",
          "OS_APPLICATION_CREDENTIAL_SECRET", "hidden-secret");

  private static Map<String, String> without(Map<String, String> map, String key) {
    Map<String, String> copy = new HashMap<>(map);
    copy.remove(key);
    return copy;
  }

  private static Map<String, String> with(Map<String, String> map, String key, String value) {
    Map<String, String> copy = new HashMap<>(map);
    copy.put(key, value);
    return copy;
  }

  @Test
  void isFoundByItsId() {
    assertThat(ServiceLoader.load(DiskProvisionerProvider.class).stream())
        .anyMatch(provider -> provider.get().id().equals("openstack"));
  }

  @Test
  void aValidConfigurationMakesAProvisionerWithoutCallingTheCloud() {
    assertThat(new OpenStackDiskProvisionerProvider().create(SETTINGS, APPLICATION_CREDENTIAL).id())
        .isEqualTo("openstack");
  }

  @Test
  void missingOrWrongSettingsAreNamed() {
    OpenStackDiskProvisionerProvider provider = new OpenStackDiskProvisionerProvider();
    assertThatThrownBy(() -> provider.create(without(SETTINGS, "vmId"), APPLICATION_CREDENTIAL))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("agent.iaasSettings.vmId");
    assertThatThrownBy(
            () -> provider.create(without(SETTINGS, "availabilityZone"), APPLICATION_CREDENTIAL))
        .hasMessageContaining("agent.iaasSettings.availabilityZone");
    assertThatThrownBy(
            () -> provider.create(with(SETTINGS, "pollInterval", "often"), APPLICATION_CREDENTIAL))
        .hasMessageContaining("agent.iaasSettings.pollInterval");
    assertThatThrownBy(
            () ->
                provider.create(with(SETTINGS, "operationTimeout", "PT0S"), APPLICATION_CREDENTIAL))
        .hasMessageContaining("agent.iaasSettings.operationTimeout")
        .hasMessageContaining("positive");
  }

  @Test
  void incompleteCredentialsNameTheVariablesToSet() {
    OpenStackDiskProvisionerProvider provider = new OpenStackDiskProvisionerProvider();
    assertThatThrownBy(() -> provider.create(SETTINGS, Map.of()))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("OS_AUTH_URL");
    assertThatThrownBy(
            () ->
                provider.create(
                    SETTINGS, without(APPLICATION_CREDENTIAL, "OS_APPLICATION_CREDENTIAL_SECRET")))
        .hasMessageContaining("OS_APPLICATION_CREDENTIAL_SECRET");
    assertThatThrownBy(
            () ->
                provider.create(
                    SETTINGS, Map.of("OS_AUTH_URL", "https://k/v3", "OS_USERNAME", "u")))
        .hasMessageContaining("OS_PASSWORD");
    assertThatThrownBy(
            () ->
                provider.create(
                    SETTINGS,
                    Map.of("OS_AUTH_URL", "https://k/v3", "OS_USERNAME", "u", "OS_PASSWORD", "p")))
        .hasMessageContaining("OS_USER_DOMAIN_NAME");
    assertThatThrownBy(
            () ->
                provider.create(
                    SETTINGS,
                    Map.of(
                        "OS_AUTH_URL",
                        "https://k/v3",
                        "OS_USERNAME",
                        "u",
                        "OS_PASSWORD",
                        "p",
                        "OS_USER_DOMAIN_NAME",
                        "Default")))
        .hasMessageContaining("OS_PROJECT_ID");
  }

  @Test
  void credentialsNameThemselvesWithoutTheirSecret() {
    OpenStackCredentials credentials = OpenStackCredentials.fromEnvironment(APPLICATION_CREDENTIAL);
    assertThat(credentials.authUrl()).isEqualTo("https://keystone.example:5000/v3");
    assertThat(credentials.toString())
        .contains("application credential 0f1e")
        .doesNotContain("hidden-secret");
  }
}
