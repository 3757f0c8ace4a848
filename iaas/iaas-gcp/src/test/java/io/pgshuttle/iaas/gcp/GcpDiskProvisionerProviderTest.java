package io.pgshuttle.iaas.gcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgshuttle.iaas.DiskProvisioners;
import io.pgshuttle.iaas.PermanentIaasException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Settings, checked before any call; no I/O (the endpoint is never called). */
class GcpDiskProvisionerProviderTest {
  private static final Map<String, String> VALID =
      Map.of(
          "project", "proj-1",
          "zone", "europe-west1-b",
          "vmId", "pg-0",
          "endpoint", "http://127.0.0.1:1");

  private static Map<String, String> with(String key, String value) {
    Map<String, String> settings = new HashMap<>(VALID);
    if (value == null) {
      settings.remove(key);
    } else {
      settings.put(key, value);
    }
    return settings;
  }

  @Test
  void isFoundByIdWithValidSettings() {
    assertThat(DiskProvisioners.create("gcp", VALID).id()).isEqualTo("gcp");
  }

  @Test
  void eachMissingRequiredSettingIsNamed() {
    for (String key : new String[] {"project", "zone", "vmId"}) {
      assertThatThrownBy(() -> DiskProvisioners.create("gcp", with(key, null)))
          .isInstanceOf(PermanentIaasException.class)
          .hasMessageContaining("agent.iaasSettings." + key);
      assertThatThrownBy(() -> DiskProvisioners.create("gcp", with(key, " ")))
          .hasMessageContaining("agent.iaasSettings." + key);
    }
  }

  @Test
  void badDurationsAreNamed() {
    assertThatThrownBy(() -> DiskProvisioners.create("gcp", with("operationTimeout", "soon")))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("agent.iaasSettings.operationTimeout");
    assertThatThrownBy(() -> DiskProvisioners.create("gcp", with("pollInterval", "PT0S")))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("agent.iaasSettings.pollInterval")
        .hasMessageContaining("positive");
  }

  @Test
  void defaultsAndTheDiskTypePath() {
    GcpConfig config = GcpConfig.from(VALID);
    assertThat(config.operationTimeout()).isEqualTo(Duration.ofMinutes(10));
    assertThat(config.pollInterval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.diskTypePath())
        .isEqualTo("projects/proj-1/zones/europe-west1-b/diskTypes/pd-balanced");
    assertThat(
            GcpConfig.from(with("diskType", "projects/p/zones/z/diskTypes/pd-ssd")).diskTypePath())
        .isEqualTo("projects/p/zones/z/diskTypes/pd-ssd");
    assertThat(config.plainHttp()).isTrue();
    assertThat(GcpConfig.from(with("endpoint", null)).plainHttp()).isFalse();
    assertThat(GcpConfig.from(with("endpoint", "https://compute-p.example:443")).plainHttp())
        .isFalse();
  }
}
