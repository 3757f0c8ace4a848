package io.pgshuttle.iaas.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgshuttle.iaas.DiskProvisioners;
import io.pgshuttle.iaas.PermanentIaasException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Settings: each mistake is a permanent error naming the key to fix. No I/O. */
class AwsDiskProvisionerProviderTest {
  private static final Map<String, String> VALID =
      Map.of(
          "vmId", "i-0123456789abcdef0",
          "region", "eu-central-1",
          "availabilityZone", "eu-central-1a");

  @Test
  void validSettingsMakeTheAwsProvisioner() {
    assertThat(DiskProvisioners.create("aws", VALID).id()).isEqualTo("aws");
    assertThat(AwsDiskProvisionerProvider.ID).isEqualTo(new AwsDiskProvisionerProvider().id());
  }

  @ParameterizedTest(name = "without {0}")
  @CsvSource({"vmId", "region", "availabilityZone"})
  void missingRequiredSettingIsNamed(String key) {
    Map<String, String> settings = new HashMap<>(VALID);
    settings.remove(key);

    assertThatThrownBy(() -> DiskProvisioners.create("aws", settings))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("agent.iaasSettings." + key);
  }

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource({
    "vmId, vol-0123456789abcdef0",
    "availabilityZone, us-east-1a",
    "operationTimeout, ten minutes",
    "operationTimeout, PT0S",
    "pollInterval, -PT1S",
    "endpoint, not a url",
    "endpoint, 127.0.0.1:4566",
    "maxAttempts, 0",
    "maxAttempts, three",
  })
  void wrongSettingIsNamed(String key, String value) {
    Map<String, String> settings = new HashMap<>(VALID);
    settings.put(key, value);

    assertThatThrownBy(() -> DiskProvisioners.create("aws", settings))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("agent.iaasSettings." + key);
  }

  @Test
  void clientTokenIsStableAndFitsEc2sLimit() {
    assertThat(AwsDiskProvisioner.clientToken("m-1-1"))
        .isEqualTo(AwsDiskProvisioner.clientToken("m-1-1"))
        .isNotEqualTo(AwsDiskProvisioner.clientToken("m-1-2"))
        .hasSize(64);
  }
}
